import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stringify } from 'yaml';
import type { ShowWhere } from '../../src/app/incident-notifier.js';
import type { MonitorChange } from '../../src/app/monitor.js';
import { type Served, type SurfaceStarter, startServe } from '../../src/app/serve.js';
import type { ChatCore } from '../../src/bot/conversation/chat-core.js';
import type { Surface } from '../../src/bot/conversation/ports.js';
import { configSchema } from '../../src/config/schema.js';
import { createSilentLogger } from '../../src/log/logger.js';
import type { Incident } from '../../src/report/incident.js';
import type { Reply } from '../../src/report/reply.js';
import { runCli } from '../helpers/run-cli.js';
import { type ApiCall, type FakeSlackApi, startFakeSlackApi } from '../helpers/slack-api-server.js';
import { startComeback, stopComeback } from './lab/lab.js';
import { labConfigObject } from './lab/lab-config.js';
import { describeWithLab } from './lab/lab-suite.js';

// Issue 19's acceptance through the lab's jump: users report a host that is down, the outage
// becomes one incident posted once in the helpdesk channel and edited as reports attach; the host
// comes back, `rdp-triage monitor --once` (from cron) resolves it on the second clean probe and
// tells every reporter in their thread through Slack's Web API (the local fake of
// test/helpers/slack-api-server.ts). A gateway whose certificate expires in 3 days is a warning
// incident on the monitor's first pass.

const HELPDESK = 'C0HELPDESK';
const USERS = 'C0USERS';

/** Where serve's notifier shows incidents, as a surface named slack records it: the calls, in order. */
function recordingSlack() {
  const shown: { where: ShowWhere; reply: Reply; ref: string }[] = [];
  let core: ChatCore | undefined;
  const starter: SurfaceStarter = {
    name: 'slack',
    enabledBy: 'the test',
    detect: () => async (context) => {
      if (!context.core) throw new Error('serve hands every surface its chat core');
      core = context.core;
      return {
        name: 'slack',
        address: 'recording',
        stop: async () => {},
        show: async (where, reply) => {
          const ref = where.messageRef ?? `1765180800.${String(shown.length + 1).padStart(6, '0')}`;
          shown.push({ where, reply, ref });
          return ref;
        },
      };
    },
  };
  return {
    starter,
    shown,
    core: () => {
      if (!core) throw new Error('the recording surface has not started');
      return core;
    },
  };
}

/** One user's conversation: every reply the bot posted or edited there. */
function userSurface(messageRef: string): { surface: Surface; replies: Reply[] } {
  const replies: Reply[] = [];
  const keep = async (reply: Reply) => {
    replies.push(reply);
  };
  return { surface: { minUpdateIntervalMs: 0, messageRef, post: keep, update: keep }, replies };
}

const changesOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as MonitorChange);

const textOf = (call: ApiCall) => JSON.stringify(call.args);

describeWithLab('incidents through the jump', (lab) => {
  const dir = mkdtempSync(join(tmpdir(), 'rdpt-incidents-lab-'));
  let slack: FakeSlackApi;
  let served: Served | undefined;
  const slackEnv = () => ({ SLACK_BOT_TOKEN: 'xoxb-lab-test', SLACK_API_URL: slack.apiUrl });
  const writeConfig = (name: string, extra: Record<string, unknown>) => {
    const object = {
      ...labConfigObject(lab),
      store: { path: join(dir, `${name}.db`) },
      incidents: { openAfterReports: 1, helpdesk: { slack: HELPDESK } },
      ...extra,
    };
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, stringify(object));
    return { path, config: configSchema.parse(object) };
  };

  beforeAll(async () => {
    slack = await startFakeSlackApi();
  });
  afterAll(async () => {
    await served?.close();
    await stopComeback(lab);
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('three reports of a down host: one incident, posted once and edited twice, the third told #3; it comes back: two monitor passes resolve it and tell all three', async () => {
    const { path, config } = writeConfig('comeback', {});
    const recorder = recordingSlack();
    served = await startServe({
      config,
      env: {},
      logger: createSilentLogger(),
      surfaces: [recorder.starter],
    });

    const users = ['U0ALICE', 'U0BOB', 'U0CAROL'];
    const answers: Reply[][] = [];
    for (const [index, user] of users.entries()) {
      const { surface, replies } = userSurface(`1765180900.00000${index}`);
      await recorder.core().answer(
        {
          platform: 'slack',
          id: `m-${user}`,
          user,
          channel: USERS,
          thread: `1765180800.10000${index}`,
          text: `cant rdp to comeback.lab, error code 0x204`,
        },
        surface,
      );
      answers.push(replies);
      // Reports minutes apart, as in a real channel: each one's post or edit goes out before the next.
      await served.incidentsIdle();
    }

    const finals = answers.map((replies) => replies.at(-1));
    for (const final of finals) {
      expect(final?.kind).toBe('report');
      if (final?.kind !== 'report') continue;
      expect(final.report.findings).toContainEqual(
        expect.objectContaining({ probe: 'tcp', target: 'comeback.lab:3389', code: 'TCP_REFUSED' }),
      );
    }
    const notes = finals.map((final) => (final?.kind === 'report' ? (final.note ?? '') : ''));
    expect(notes[0]).toMatch(/Known problem INC-1 since .* yours is report #1/);
    expect(notes[2]).toMatch(/Known problem INC-1 since .* yours is report #3/);

    const helpdesk = recorder.shown.filter(({ where }) => where.channel === HELPDESK);
    expect(helpdesk.map(({ where }) => where.messageRef ?? 'posted')).toEqual([
      'posted',
      helpdesk[0]?.ref,
      helpdesk[0]?.ref,
    ]);
    const shownIncident = (index: number) => {
      const reply = helpdesk[index]?.reply;
      return reply?.kind === 'incident' ? reply.incident : undefined;
    };
    expect(shownIncident(0)).toMatchObject({ id: 'INC-1', reports: 1, state: 'open' });
    expect(shownIncident(2)).toMatchObject({
      id: 'INC-1',
      target: 'comeback.lab',
      cause: 'TCP_REFUSED',
      reports: 3,
      reporters: users.map((user) => `slack:${user}`),
    });

    const listed = await runCli(['incidents', '--json', '--config', path]);
    expect(listed.stderr).toBe('');
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Incident),
    ).toEqual([expect.objectContaining({ id: 'INC-1', state: 'open', reports: 3 })]);
    // serve stops; from here on the cron job's `monitor --once` works on the same store file.
    await served.close();
    served = undefined;

    await startComeback(lab);
    const first = await runCli(['monitor', '--once', '--json', '--config', path], { env: slackEnv() });
    expect(first.code, first.stderr).toBe(0);
    expect(changesOf(first.stdout)).toEqual([
      expect.objectContaining({
        change: 'green',
        source: 'comeback.lab',
        incident: expect.objectContaining({ id: 'INC-1' }),
      }),
    ]);
    // One clean probe is not enough: nobody is told yet.
    expect(slack.calls.filter((call) => call.method.startsWith('chat.'))).toEqual([]);

    const second = await runCli(['monitor', '--once', '--json', '--config', path], { env: slackEnv() });
    expect(second.code, second.stderr).toBe(0);
    expect(changesOf(second.stdout)).toEqual([
      expect.objectContaining({
        change: 'resolved',
        incident: expect.objectContaining({ id: 'INC-1', state: 'resolved' }),
      }),
    ]);
    // The CLI waited for its messages before it exited: they are all there already.
    const updates = slack.calls.filter((call) => call.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args).toMatchObject({ channel: HELPDESK, ts: helpdesk[0]?.ref });
    expect(textOf(updates[0] as ApiCall)).toMatch(/Resolved at/);
    const told = slack.calls.filter((call) => call.method === 'chat.postMessage');
    expect(told.map((call) => [call.args.channel, call.args.thread_ts])).toEqual(
      users.map((_, index) => [USERS, `1765180800.10000${index}`]),
    );
    for (const call of told) expect(textOf(call)).toContain('INC-1 is resolved');
    for (const call of [...updates, ...told]) expect(call.authorization).toBe('Bearer xoxb-lab-test');

    const after = await runCli(['incidents', '--json', '--all', '--config', path]);
    expect(JSON.parse(after.stdout.trim()) as Incident).toMatchObject({ id: 'INC-1', state: 'resolved' });
  }, 180_000);

  test('a monitor on a gateway whose certificate expires in 3 days: a warning incident on its first pass, posted in the helpdesk channel', async () => {
    const { path } = writeConfig('expiring', { monitors: [{ name: 'rdg-soon', gateway: 'rdg-soon.lab' }] });
    const before = slack.calls.length;
    const pass = await runCli(['monitor', '--once', '--json', '--config', path], { env: slackEnv() });
    expect(pass.code, pass.stderr).toBe(0);
    const changes = changesOf(pass.stdout);
    expect(changes).toEqual([
      expect.objectContaining({
        change: 'opened',
        source: 'rdg-soon',
        incident: expect.objectContaining({
          target: 'rdg-soon.lab',
          cause: 'TLS_CERT_EXPIRING_SOON',
          severity: 'warning',
          state: 'open',
          probed: 'rdg-soon.lab:443',
          reporters: ['monitor:rdg-soon'],
        }),
      }),
    ]);
    expect(changes[0]?.incident?.summary).toMatch(/expires in 3 days/);
    const posted = slack.calls.slice(before).filter((call) => call.method === 'chat.postMessage');
    expect(posted.map((call) => call.args.channel)).toEqual([HELPDESK]);
    expect(textOf(posted[0] as ApiCall)).toContain('Warning, nothing is down yet');

    // The next pass re-probes it (still expiring) and the monitor sees it again: nothing new to tell.
    const again = await runCli(['monitor', '--once', '--json', '--config', path], { env: slackEnv() });
    expect(changesOf(again.stdout).map(({ change }) => change)).toEqual(['attached', 'failing']);
    expect(slack.calls.slice(before).filter((call) => call.method.startsWith('chat.'))).toHaveLength(1);
  }, 120_000);
});

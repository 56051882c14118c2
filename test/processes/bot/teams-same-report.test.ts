import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../../src/app/assemble.js';
import { runConsoleChat } from '../../../src/bot/adapters/console/console.js';
import { createSlackApp, type SlackService } from '../../../src/bot/adapters/slack/slack-app.js';
import { startTeams, type TeamsServer } from '../../../src/bot/adapters/teams/teams-server.js';
import type { Conversation } from '../../../src/bot/conversation/conversation.js';
import { configSchema } from '../../../src/config/schema.js';
import type { Report } from '../../../src/report/report.js';
import { createMemoryFeedbackStore } from '../../../src/store/feedback-store.js';
import { startFakeConnector } from '../../bot/teams-connector.js';
import { signSlackRequest, startFakeSlackApi } from '../../helpers/slack-api-server.js';
import { directMessage } from '../../helpers/slack-payloads.js';
import { waitFor } from '../../helpers/wait-for.js';
import { CONFIRM, startX224Server } from '../../helpers/x224-server.js';

// The conversation core is shared: one message through Slack (Bolt), Teams (botbuilder), the
// console chat and the CLI yields the same Report, up to timings. Each surface runs for real over
// its own wire (a local Slack Web API, a local Bot Connector, stdin/stdout, a child process).

const MESSAGE = 'rdp 0x904 extended 0x7 on srv-lab-01';
const SECRET = 'd41d8cd98f00b204e9800998ecf8427e';
let rdp: Awaited<ReturnType<typeof startX224Server>>;
let dir: string;
let bot: Bot;
const reports = new Map<string, Report>();

beforeAll(async () => {
  rdp = await startX224Server(CONFIRM.nla);
  const inventory = [{ name: 'srv-lab-01', address: '127.0.0.1', port: rdp.port }];
  dir = mkdtempSync(join(tmpdir(), 'same-report-'));
  writeFileSync(
    join(dir, 'config.yaml'),
    `inventory:\n  - name: srv-lab-01\n    address: 127.0.0.1\n    port: ${rdp.port}\n`,
  );
  bot = assembleBot({ config: configSchema.parse({ inventory }) });
});

afterAll(async () => {
  await bot?.close();
  await rdp?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The shared conversation, recording the Report each platform's triage returned. */
function recording(conversation: Conversation): Conversation {
  return {
    async handle(incoming, surface, signal) {
      const report = await conversation.handle(incoming, surface, signal);
      if (report) reports.set(incoming.platform, report);
      return report;
    },
  };
}

function until(platform: string, ms = 15_000): Promise<Report> {
  return waitFor(() => reports.get(platform), { timeoutMs: ms, what: `a report from ${platform}` });
}

/** Timings differ run to run: drop them, and the "(… 3 ms)" inside sentences. */
function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (typeof value === 'string') return value.replace(/\d+(\.\d+)? ?ms\b/g, 'N ms');
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'ms' && key !== 'startedAt' && !/Ms$/.test(key))
      .map(([key, inner]) => [key, withoutTimings(inner)]),
  );
}

test('the same message gives the same Report on Slack, Teams, the console and the CLI', {
  timeout: 90_000,
}, async () => {
  const conversation = recording(bot.conversation);
  const silent = pino({ level: 'silent' });

  // Slack: a signed Events API delivery into the real Bolt app.
  const slackApi = await startFakeSlackApi();
  let slack: SlackService | undefined;
  try {
    slack = createSlackApp({
      settings: { mode: 'http', botToken: 'xoxb-test', signingSecret: SECRET, port: 0, host: '127.0.0.1' },
      conversation,
      feedback: createMemoryFeedbackStore(),
      logger: silent,
      clientOptions: { slackApiUrl: slackApi.apiUrl },
    });
    const { port } = await slack.start();
    const body = JSON.stringify(directMessage(MESSAGE));
    const delivered = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) },
      body,
    });
    expect(delivered.status).toBe(200);
    await until('slack');
  } finally {
    await slack?.stop();
    await slackApi.close();
  }

  // Teams: a Bot Framework activity into the real CloudAdapter.
  const connector = await startFakeConnector();
  let teams: TeamsServer | undefined;
  try {
    teams = await startTeams({
      conversation,
      settings: { appId: '', botFrameworkAuth: {}, port: 0, host: '127.0.0.1' },
      logger: silent,
    });
    const delivered = await fetch(teams.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'same-1',
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: '29:user', name: 'Ada' },
        recipient: { id: '28:bot', name: 'RDP Triage' },
        conversation: { id: 'a:same', conversationType: 'personal' },
        text: MESSAGE,
      }),
    });
    expect(delivered.status).toBe(200);
    await until('teams');
  } finally {
    await teams?.stop();
    await teams?.drain();
    await connector.close();
  }

  // Console chat: the line on stdin.
  await runConsoleChat(conversation, {
    input: Readable.from([`${MESSAGE}\n`]),
    output: new PassThrough(),
    user: 'ada',
  });
  await until('console');

  // CLI: `rdp-triage triage --json` in its own process, same config.
  const cli = spawn(
    process.execPath,
    ['bin/rdp-triage.js', 'triage', '--json', '--config', join(dir, 'config.yaml'), MESSAGE],
    {
      cwd: join(import.meta.dirname, '../../..'),
    },
  );
  let stdout = '';
  cli.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const code = await new Promise((resolve) => cli.on('close', resolve));
  expect(code).toBe(0);
  const fromCli = JSON.parse(stdout) as Report;

  const slackReport = withoutTimings(reports.get('slack'));
  expect((reports.get('slack') as Report).fixes.length).toBeGreaterThan(0);
  expect((reports.get('slack') as Report).findings.some((f) => f.probe === 'rdp' && f.status === 'ok')).toBe(
    true,
  );
  expect(withoutTimings(reports.get('teams'))).toEqual(slackReport);
  expect(withoutTimings(reports.get('console'))).toEqual(slackReport);
  expect(withoutTimings(fromCli)).toEqual(slackReport);
});

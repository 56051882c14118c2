import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import type { Incoming, Surface } from '../../src/bot/conversation/ports.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Reply } from '../../src/report/reply.js';
import { createAuditLog } from '../../src/store/audit-log.js';
import { createConversationAudit } from '../../src/store/conversation-audit.js';
import { openDatabase } from '../../src/store/sqlite.js';

// The whole bot path (assembleBot → conversation → access gate → triage → audit) with a store on
// disk. Probes only go to 127.0.0.1, where nothing listens on the RDP port in a test run.
const bots: Bot[] = [];
afterEach(async () => {
  for (const bot of bots.splice(0)) await bot.close();
});

async function setup(extra: string) {
  const dir = await mkdtemp(join(tmpdir(), 'rdp-conv-audit-'));
  const path = join(dir, 'audit.db');
  let clock = Date.parse('2026-11-25T10:00:00Z');
  const config = parseConfig(
    [
      'inventory:',
      '  - { name: lab-box, address: 127.0.0.1, group: lab }',
      `store: { path: ${JSON.stringify(path)} }`,
      'probes: { timeoutMs: 1000 }',
      extra,
    ].join('\n'),
    'bot.yaml',
  );
  const bot = assembleBot({ config, now: () => clock });
  bots.push(bot);
  const ask = async (user: string, text: string) => {
    const replies: Reply[] = [];
    const surface: Surface = {
      minUpdateIntervalMs: 0,
      post: async (reply) => void replies.push(reply),
      update: async (reply) => void replies.push(reply),
    };
    const incoming: Incoming = {
      platform: 'slack',
      id: `m${replies.length}-${clock}`,
      user,
      channel: 'C1',
      text,
    };
    const report = await bot.conversation.handle(incoming, surface, AbortSignal.timeout(10_000));
    return { report, last: replies.at(-1) };
  };
  const audit = () => createAuditLog(openDatabase(path)).query();
  return { ask, audit, dir, tick: (ms: number) => (clock += ms) };
}

test('someone without a role gets knowledge-base fixes and a refusal, and it is audited', async () => {
  const { ask, audit } = await setup(
    'access:\n  roles:\n    - { name: helpdesk, users: [UHELP], hostGroups: ["*"] }',
  );
  const { report, last } = await ask('UOTHER', 'rdp 0x904 on lab-box');
  expect(report?.findings).toEqual([]);
  expect(report?.fixes.length).toBeGreaterThan(0);
  expect(report?.refusals).toEqual([{ target: 'lab-box', reason: expect.stringMatching(/not in a role/) }]);
  expect(last?.kind).toBe('report');
  const [event] = audit();
  expect(event).toMatchObject({ kind: 'request', user: 'UOTHER', outcome: 'refused', hosts: ['lab-box'] });
  expect(event?.kind === 'request' && event.refusals[0]?.target).toBe('lab-box');
});

test('a role member probes; the probes are audited with their target', async () => {
  const { ask, audit } = await setup(
    'access:\n  roles:\n    - { name: helpdesk, users: [UHELP], hostGroups: [lab] }',
  );
  const { report } = await ask('UHELP', 'rdp 0x904 on lab-box');
  expect(report?.refusals).toEqual([]);
  expect(report?.findings.length).toBeGreaterThan(0);
  const [event] = audit();
  expect(event).toMatchObject({ kind: 'request', outcome: 'probed' });
  expect(event?.kind === 'request' && event.probes.map((p) => p.host)).toContain('lab-box');
});

test('over the rate limit: refused with "try again in N s", then allowed once the minute passed', async () => {
  const { ask, audit, tick } = await setup('rateLimits:\n  perUser: { probesPerMinute: 1 }');
  await ask('U1', 'rdp 0x904 on lab-box');
  tick(15_000);
  const second = await ask('U1', 'rdp 0x904 on lab-box');
  expect(second.report?.findings).toEqual([]);
  expect(second.report?.refusals[0]?.reason).toBe(
    'rate limit of 1 probes per minute per person reached — try again in 45 s',
  );
  expect(audit()[0]).toMatchObject({ outcome: 'rate-limited' });
  tick(45_000);
  const third = await ask('U1', 'rdp 0x904 on lab-box');
  expect(third.report?.findings.length).toBeGreaterThan(0);
});

test('a secret in a message reaches neither the reply nor the database files', async () => {
  const { ask, dir } = await setup('');
  const secret = 'xoxb-998877665544-AbCdEfGhIjKlMnOp';
  await ask('U1', `rdp 0x904 on lab-box, my token is ${secret} and password=Sup3rS3cret!`);
  for (const file of await readdir(dir)) {
    const bytes = await readFile(join(dir, file));
    expect(bytes.includes(secret)).toBe(false);
    expect(bytes.includes('Sup3rS3cret!')).toBe(false);
  }
});

test('a failing audit store does not stop the answer; the failure is reported', async () => {
  const db = openDatabase(':memory:');
  const errors: unknown[] = [];
  const audit = createConversationAudit(createAuditLog(db), { onError: (error) => errors.push(error) });
  db.close();
  const conversation = createConversation({
    understand: () => ({
      intent: 'rdp_failure',
      confidence: 0.9,
      codes: [],
      hosts: [],
      gateway: null,
      symptoms: [],
    }),
    triage: async (understanding) => ({
      understanding,
      findings: [],
      fixes: [],
      refusals: [],
      startedAt: '',
      ms: 0,
    }),
    audit,
  });
  const replies: Reply[] = [];
  const surface: Surface = {
    minUpdateIntervalMs: 0,
    post: async (reply) => void replies.push(reply),
    update: async (reply) => void replies.push(reply),
  };
  const report = await conversation.handle(
    { platform: 'slack', id: '1', user: 'U1', channel: 'C1', text: 'rdp 0x904' },
    surface,
    AbortSignal.timeout(5000),
  );
  expect(report).not.toBeNull();
  expect(replies.at(-1)?.kind).toBe('report');
  expect(errors.length).toBe(1);
});

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createAuditLog } from '../../src/store/audit-log.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { createSqliteFeedbackStore } from '../../src/store/sqlite-feedback-store.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T12:00:00Z');

function setup(retentionDays = 30) {
  let clock = T0;
  const db = openDatabase(':memory:');
  const audit = createAuditLog(db, { retentionDays, feedbackRetentionDays: 60, now: () => clock });
  const feedback = createSqliteFeedbackStore(db, { now: () => clock });
  return { db, audit, feedback, advance: (ms: number) => (clock += ms), at: () => clock };
}

const request = (user: string, hosts: string[], text = `rdp 0x904 on ${hosts.join(' ')}`) => ({
  platform: 'slack',
  user,
  channel: 'C1',
  messageId: `${user}-${hosts.join(',')}`,
  text,
  intent: 'rdp_failure',
  codes: ['0x904'],
  hosts,
});

describe('audit log', () => {
  test('records a request, its probes and refusals, and reads them back', () => {
    const { audit } = setup();
    const id = audit.recordRequest(request('U1', ['srv-fin-02', 'dc01']));
    audit.recordOutcome(id, {
      outcome: 'probed',
      probes: [
        {
          host: 'srv-fin-02',
          target: 'srv-fin-02:3389',
          probe: 'tcp',
          jump: 'jump-eu',
          status: 'ok',
          code: 'TCP_OPEN',
          summary: 'open',
          ms: 12.4,
        },
      ],
      refusals: [{ target: 'dc01', reason: 'not allowed to probe: dc01 is outside the allowed ranges' }],
    });
    const [event] = audit.query();
    expect(event).toMatchObject({
      kind: 'request',
      user: 'U1',
      channel: 'C1',
      outcome: 'probed',
      codes: ['0x904'],
      hosts: ['srv-fin-02', 'dc01'],
      probes: [{ host: 'srv-fin-02', target: 'srv-fin-02:3389', jump: 'jump-eu', code: 'TCP_OPEN', ms: 12 }],
      refusals: [{ target: 'dc01' }],
    });
    expect(event?.kind === 'request' && event.textSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test.for([
    // [filter, users expected, newest first]
    [{}, ['U2', 'U1', 'U1']],
    [{ user: 'U1' }, ['U1', 'U1']],
    [{ host: 'SRV-FIN-02' }, ['U2', 'U1']],
    [{ host: 'lab-box' }, ['U1']],
    [{ host: 'refused-only' }, ['U2']],
    [{ user: 'U2', host: 'lab-box' }, []],
    [{ sinceMs: T0 + 1.5 * DAY }, ['U2']],
  ] as const)('query %j', ([filter, users]) => {
    const { audit, advance } = setup();
    audit.recordRequest(request('U1', ['srv-fin-02']));
    advance(DAY);
    const second = audit.recordRequest(request('U1', ['lab']));
    audit.recordOutcome(second, {
      outcome: 'probed',
      probes: [
        {
          host: 'lab-box',
          target: '127.0.0.1:3389',
          probe: 'tcp',
          jump: null,
          status: 'ok',
          code: 'TCP_OPEN',
          summary: 'open',
          ms: 1,
        },
      ],
    });
    advance(DAY);
    const third = audit.recordRequest(request('U2', ['srv-fin-02']));
    audit.recordOutcome(third, {
      outcome: 'refused',
      refusals: [{ target: 'refused-only', reason: 'denied' }],
    });
    expect(audit.query(filter).map((e) => e.user)).toEqual(users);
  });

  test('retention deletes old requests with their probes, and old votes', async () => {
    const { audit, feedback, db, advance, at } = setup(30);
    const old = audit.recordRequest(request('U1', ['srv-old']));
    audit.recordOutcome(old, {
      outcome: 'probed',
      probes: [
        {
          host: 'srv-old',
          target: 'srv-old:3389',
          probe: 'tcp',
          jump: null,
          status: 'ok',
          code: 'TCP_OPEN',
          summary: 'open',
          ms: 1,
        },
      ],
    });
    await feedback.record({
      triageId: 't',
      fixId: 'f',
      codes: [],
      helped: true,
      user: 'U1',
      platform: 'slack',
      at: new Date(at()).toISOString(),
    });
    advance(31 * DAY);
    audit.recordRequest(request('U1', ['srv-new']));
    expect(
      audit
        .query()
        .filter((e) => e.kind === 'request')
        .map((e) => e.kind === 'request' && e.hosts),
    ).toEqual([['srv-new']]);
    expect(db.prepare('SELECT count(*) AS n FROM probes').get()).toEqual({ n: 0 });
    // Votes are kept for feedbackRetentionDays (60), not the audit retention.
    expect(audit.query({ user: 'U1' }).some((e) => e.kind === 'feedback')).toBe(true);
    advance(30 * DAY);
    expect(audit.prune().feedback).toBe(1);
  });

  test('secrets pasted into chat never reach the database file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdp-audit-'));
    const path = join(dir, 'audit.db');
    const db = openDatabase(path);
    const audit = createAuditLog(db);
    const secrets = ['Hunter2Hunter2', 'xoxb-123456789012-abcdefABCDEF', 'Tr0ub4dor3xyz'];
    const id = audit.recordRequest(
      request(
        'U1',
        ['srv-fin-02'],
        `rdp 0x904 on srv-fin-02 password=${secrets[0]} token ${secrets[1]} /p:${secrets[2]}`,
      ),
    );
    audit.recordOutcome(id, { outcome: 'failed', error: `login with /p:${secrets[2]} failed` });
    db.close();
    const bytes = Buffer.concat([
      await readFile(path),
      await readFile(`${path}-wal`).catch(() => Buffer.alloc(0)),
    ]);
    for (const secret of secrets) expect(bytes.includes(secret)).toBe(false);
    const reopened = createAuditLog(openDatabase(path));
    const [event] = reopened.query();
    expect(event?.kind === 'request' && event.text).toContain('password=[redacted]');
    expect(event?.kind === 'request' && event.error).toContain('/p:[redacted]');
  });

  test('a 10 KB host name is stored bounded', () => {
    const { audit } = setup();
    audit.recordRequest(request('U1', ['a'.repeat(10_000)]));
    const [event] = audit.query();
    expect(event?.kind === 'request' && (event.hosts[0]?.length ?? 0)).toBeLessThan(600);
  });
});

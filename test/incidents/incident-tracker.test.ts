import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import { incidentsSchema } from '../../src/config/incidents-schema.js';
import { failingCauses } from '../../src/incidents/failing-causes.js';
import { createIncidentTracker } from '../../src/incidents/incident-tracker.js';
import { understand } from '../../src/intents/understand.js';
import type { Finding } from '../../src/report/finding.js';
import type { Report } from '../../src/report/report.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { lastReplySurface } from '../helpers/last-reply.js';
import { trackerContract } from './tracker-contract.js';

const config = incidentsSchema.parse({});
const finding = (target: string, status: Finding['status'], code: string): Finding => ({
  probe: 'tcp',
  target,
  status,
  code,
  summary: `${target} ${code}`,
  ms: 1,
});
const down = { findings: [finding('srv-fin-02:3389', 'timeout', 'TCP_TIMEOUT')] };
const user = (id: string) => ({ platform: 'slack', user: id, channel: 'C1', thread: `${id}.1` });

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('failing causes', () => {
  test('failures and deadlines count, once per target and code, without the port; warnings and refusals do not', async () => {
    const report = {
      findings: [
        finding('srv-fin-02:3389', 'timeout', 'TCP_TIMEOUT'),
        finding('srv-fin-02:3390', 'timeout', 'TCP_TIMEOUT'),
        finding('[fd00::5]:3389', 'fail', 'TCP_REFUSED'),
        finding('rdg.corp.example', 'warn', 'TLS_CERT_EXPIRING_SOON'),
        finding('srv-hr-01', 'refused', 'NOT_ALLOWED'),
        finding('srv-hr-02', 'ok', 'TCP_OPEN'),
      ],
    };
    expect(failingCauses(report).map(({ target, cause }) => `${target} ${cause}`)).toEqual([
      'srv-fin-02 TCP_TIMEOUT',
      'fd00::5 TCP_REFUSED',
    ]);
  });
});

describe('incident tracker', () => {
  trackerContract(async ({ now, config: given = config } = {}) =>
    createIncidentTracker(openDatabase(':memory:'), given, now ? { now } : {}),
  );

  test('incidents and waiting reports survive closing the store file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'incidents-'));
    dirs.push(dir);
    const path = join(dir, 'store.sqlite');
    let db = openDatabase(path);
    await createIncidentTracker(db, config).observe(down, user('U1'));
    db.close();
    db = openDatabase(path);
    // U1's report waited on disk: U2 opens the incident after the restart.
    expect((await createIncidentTracker(db, config).observe(down, user('U2')))[0]).toMatchObject({
      opened: true,
      position: 2,
    });
    db.close();
    db = openDatabase(path);
    expect(await createIncidentTracker(db, config).list()).toMatchObject([{ id: 'INC-1', reports: 2 }]);
    db.close();
  });
});

describe('in the conversation', () => {
  test("a reporter's reply names the known incident and their report number above the fixes", async () => {
    const tracker = createIncidentTracker(openDatabase(':memory:'), config);
    const triage = async (understanding: Report['understanding']): Promise<Report> => ({
      understanding,
      findings: down.findings,
      fixes: [],
      refusals: [],
      startedAt: new Date(0).toISOString(),
      ms: 1,
    });
    const conversation = createConversation({ understand, triage, incidents: tracker });
    const ask = async (id: string) => {
      const shown = lastReplySurface();
      const incoming = { platform: 'slack', id, user: id, channel: 'C1', text: 'rdp 0x204 on srv-fin-02' };
      await conversation.handle(incoming, shown.surface, AbortSignal.timeout(5000));
      return shown.last();
    };
    const first = await ask('U1');
    expect(first).toMatchObject({ kind: 'report' });
    expect(first && 'note' in first ? first.note : undefined).toBeUndefined();
    expect(await ask('U2')).toMatchObject({
      kind: 'report',
      note: expect.stringContaining('yours is report #2'),
    });
  });

  test('an incident store that does not answer (Redis away) costs the reply its note, nothing more', async () => {
    const triage = async (understanding: Report['understanding']): Promise<Report> => ({
      understanding,
      findings: down.findings,
      fixes: [],
      refusals: [],
      startedAt: new Date(0).toISOString(),
      ms: 1,
    });
    // ioredis queues commands while it reconnects: the answer never comes. The reply goes out
    // after the conversation's own 2 s wait for the store.
    const incidents = { observe: () => new Promise<never>(() => {}), list: async () => [] };
    const conversation = createConversation({ understand, triage, incidents });
    const shown = lastReplySurface();
    const incoming = {
      platform: 'slack',
      id: 'U1',
      user: 'U1',
      channel: 'C1',
      text: 'rdp 0x204 on srv-fin-02',
    };
    expect(await conversation.handle(incoming, shown.surface, AbortSignal.timeout(10_000))).toMatchObject({
      findings: down.findings,
    });
    const reply = shown.last();
    expect(reply).toMatchObject({ kind: 'report' });
    expect(reply && 'note' in reply ? reply.note : undefined).toBeUndefined();
  });
});

import { expect, test } from 'vitest';
import { type IncidentsConfig, incidentsSchema } from '../../src/config/incidents-schema.js';
import { describeNotice, type IncidentTracker } from '../../src/incidents/incident-tracker.js';
import type { Finding } from '../../src/report/finding.js';

// What every incident store does, SQLite (test/incidents/incident-tracker.test.ts) and Redis
// (test/integration/ops/redis-incidents.test.ts) alike: the same table of reports, the same answers.

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

/** A fresh, empty store for each test: its clock and incidents config. */
export type MakeTracker = (options?: {
  now?: () => number;
  config?: IncidentsConfig;
}) => Promise<IncidentTracker>;

/** Registers the contract's tests in the current describe block. */
export function trackerContract(make: MakeTracker): void {
  test('the second user opens the incident with both attached; later users join it; a repeat counts once', async () => {
    let clock = Date.parse('2026-12-07T08:00:00Z');
    const tracker = await make({ now: () => clock });
    expect(await tracker.observe(down, user('U1'))).toEqual([]);
    clock += 2 * 60_000;
    const [opened] = await tracker.observe(down, user('U2'));
    expect(opened).toMatchObject({ opened: true, position: 2, repeat: false });
    expect(opened?.incident).toMatchObject({
      id: 'INC-1',
      target: 'srv-fin-02',
      cause: 'TCP_TIMEOUT',
      state: 'open',
      firstSeen: '2026-12-07T08:00:00.000Z',
      reports: 2,
      reporters: ['slack:U1', 'slack:U2'],
    });
    clock += 60_000;
    expect((await tracker.observe(down, user('U3')))[0]).toMatchObject({ opened: false, position: 3 });
    const [again] = await tracker.observe(down, user('U1'));
    expect(again).toMatchObject({ repeat: true, position: 1, incident: { reports: 3 } });
    expect(await tracker.list()).toHaveLength(1);
    if (!again) throw new Error('the repeat report joined no incident');
    expect(describeNotice(again)).toContain('Known problem INC-1 since 08:00 UTC');
  });

  test('reports further apart than the window do not open an incident', async () => {
    let clock = 0;
    const tracker = await make({ now: () => clock });
    expect(await tracker.observe(down, user('U1'))).toEqual([]);
    clock += 16 * 60_000;
    expect(await tracker.observe(down, user('U2'))).toEqual([]);
    expect(await tracker.list()).toEqual([]);
  });

  test('one user reporting twice is one report, never an incident of one', async () => {
    const tracker = await make();
    await tracker.observe(down, user('U1'));
    expect(await tracker.observe(down, user('U1'))).toEqual([]);
  });

  test('a monitor: a certificate expiring within certificateWarningDays is a warning incident at once; it resolves once renewed', async () => {
    const tracker = await make();
    const certificate = (daysToExpiry: number, code = 'TLS_CERT_EXPIRING_SOON'): Finding => ({
      ...finding('rdg.corp.example:443', daysToExpiry <= 30 ? 'warn' : 'ok', code),
      probe: 'tls',
      detail: { daysToExpiry },
    });
    const expiring = { findings: [certificate(3)] };
    const renewed = { findings: [certificate(400, 'TLS_OK')] };
    // A user's report of the same warning is no outage; 20 days left is inside the probe's own
    // 30 (probes.tls.expiringSoonDays) but not inside the incidents' 14 (the default).
    expect(await tracker.observe(expiring, user('U1'))).toEqual([]);
    expect(await tracker.observeMonitor({ findings: [certificate(20)] }, 'rdg')).toEqual([]);
    const [warned] = await tracker.observeMonitor(expiring, 'rdg');
    expect(warned).toMatchObject({
      opened: true,
      incident: {
        id: 'INC-1',
        target: 'rdg.corp.example',
        cause: 'TLS_CERT_EXPIRING_SOON',
        severity: 'warning',
        reporters: ['monitor:rdg'],
      },
    });
    expect(await tracker.recheck('INC-1', expiring)).toMatchObject({ outcome: 'failing' });
    expect(await tracker.recheck('INC-1', renewed)).toMatchObject({ outcome: 'green' });
    expect(await tracker.recheck('INC-1', renewed)).toMatchObject({
      outcome: 'resolved',
      incident: { state: 'resolved' },
    });
    expect(await tracker.recheck('INC-1', renewed)).toBeNull();
  });

  test('a monitor whose failure clears starts its count over', async () => {
    const tracker = await make();
    expect(await tracker.observeMonitor(down, 'fin')).toEqual([]);
    expect(
      await tracker.observeMonitor({ findings: [finding('srv-fin-02:3389', 'ok', 'TCP_OPEN')] }, 'fin'),
    ).toEqual([]);
    expect(await tracker.observeMonitor(down, 'fin')).toEqual([]);
    expect(await tracker.observeMonitor(down, 'fin')).toHaveLength(1);
  });

  test('a helpdesk agent acknowledges, resolves and reopens; each change is audited, a repeat changes nothing', async () => {
    let clock = Date.parse('2026-12-07T08:00:00Z');
    const tracker = await make({ now: () => clock });
    await tracker.observe(down, user('U1'));
    await tracker.observe(down, user('U2'));
    const agent = { platform: 'slack', user: 'UHELP' };
    clock += 60_000;
    expect(await tracker.act('INC-1', 'acknowledge', agent)).toMatchObject({
      changed: true,
      incident: { state: 'mitigated', acknowledgedBy: 'slack:UHELP' },
    });
    expect(await tracker.act('INC-1', 'acknowledge', agent)).toMatchObject({ changed: false });
    // Mitigated is still open work: it is listed and re-probed.
    expect((await tracker.list()).map((incident) => incident.id)).toEqual(['INC-1']);
    clock += 60_000;
    expect(await tracker.act('INC-1', 'resolve', agent)).toMatchObject({
      changed: true,
      incident: { state: 'resolved' },
    });
    expect(await tracker.list()).toEqual([]);
    expect(await tracker.act('INC-1', 'reopen', { platform: 'teams', user: '29:agent' })).toMatchObject({
      changed: true,
      incident: { state: 'open' },
    });
    expect(await tracker.get('INC-1')).not.toHaveProperty('acknowledgedBy');
    // A reopened incident collects reports again instead of a second incident opening.
    expect((await tracker.observe(down, user('U3')))[0]).toMatchObject({ opened: false, position: 3 });
    expect(await tracker.history('INC-1')).toEqual([
      { at: '2026-12-07T08:00:00.000Z', event: 'opened', by: 'slack:U2' },
      { at: '2026-12-07T08:01:00.000Z', event: 'acknowledged', by: 'slack:UHELP' },
      { at: '2026-12-07T08:02:00.000Z', event: 'resolved', by: 'slack:UHELP' },
      { at: '2026-12-07T08:02:00.000Z', event: 'reopened', by: 'teams:29:agent' },
    ]);
    expect(await tracker.act('INC-9', 'resolve', agent)).toBeNull();
    expect(await tracker.act('DROP TABLE', 'resolve', agent)).toBeNull();
  });

  test('a resolution by re-probe is audited as the re-probe', async () => {
    const tracker = await make();
    await tracker.observe(down, user('U1'));
    await tracker.observe(down, user('U2'));
    const up = { findings: [finding('srv-fin-02:3389', 'ok', 'TCP_OPEN')] };
    await tracker.recheck('INC-1', up);
    await tracker.recheck('INC-1', up);
    expect((await tracker.history('INC-1')).map(({ event, by }) => `${event} ${by}`)).toEqual([
      'opened slack:U2',
      'resolved rdp-triage:recheck',
    ]);
  });

  test('switched off, nothing is grouped', async () => {
    const tracker = await make({ config: incidentsSchema.parse({ enabled: false }) });
    await tracker.observe(down, user('U1'));
    expect(await tracker.observe(down, user('U2'))).toEqual([]);
  });
}

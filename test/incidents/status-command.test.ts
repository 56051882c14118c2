import { describe, expect, test } from 'vitest';
import { createAccessGate } from '../../src/access/access-gate.js';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createIncidentTracker } from '../../src/incidents/incident-tracker.js';
import { understand } from '../../src/intents/understand.js';
import type { Finding } from '../../src/report/finding.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { lastReplySurface } from '../helpers/last-reply.js';

// `rdp status` lists the open incidents, but only those on targets the asker may probe: an
// incident names an internal host and what is wrong with it, which the access rules guard.
const config = parseConfig(
  [
    'inventory:',
    '  - { name: srv-fin-02, group: finance }',
    '  - { name: lab-1, group: lab }',
    'access:',
    '  roles:',
    '    - { name: helpdesk, users: [UHELP], hostGroups: ["*"] }',
    '    - { name: everyone, users: ["*"], hostGroups: [lab] }',
    'incidents: { openAfterReports: 1 }',
  ].join('\n'),
  'status.yaml',
);
const down = (target: string): { findings: Finding[] } => ({
  findings: [
    {
      probe: 'tcp',
      target: `${target}:3389`,
      status: 'timeout',
      code: 'TCP_TIMEOUT',
      summary: 'no answer',
      ms: 1,
    },
  ],
});

function setup() {
  const clock = Date.parse('2026-12-07T08:02:00Z');
  const incidents = createIncidentTracker(openDatabase(':memory:'), config.incidents, { now: () => clock });
  const conversation = createConversation({
    understand: (text) => understand(text),
    triage: async () => {
      throw new Error('status must not probe');
    },
    incidents,
    access: createAccessGate({ config, allowlist: createAllowlist(config) }),
  });
  const ask = async (user: string, text: string) => {
    const { surface, last } = lastReplySurface();
    await conversation.handle(
      { platform: 'slack', id: `${user}-${text}`, user, channel: 'C1', text },
      surface,
      AbortSignal.timeout(5000),
    );
    const reply = last();
    return reply?.kind === 'text' ? reply.text : `(not text: ${reply?.kind})`;
  };
  return { incidents, ask };
}

describe('rdp status', () => {
  test('lists the open incidents the asker may see, and says how many others are hidden', async () => {
    const { incidents, ask } = setup();
    await incidents.observe(down('srv-fin-02'), { platform: 'slack', user: 'U1', channel: 'C1' });
    await incidents.observe(down('lab-1'), { platform: 'slack', user: 'U2', channel: 'C1' });

    const helpdesk = await ask('UHELP', 'rdp status');
    expect(helpdesk).toMatch(/^2 open incidents:/);
    expect(helpdesk).toContain('INC-1 srv-fin-02: no answer — since 2026-12-07 08:02 UTC, 1 report');
    expect(helpdesk).toContain('INC-2 lab-1');

    const someone = await ask('U9', 'status');
    expect(someone).toMatch(/^1 open incident \(1 more on targets your roles do not cover/);
    expect(someone).toContain('INC-2 lab-1');
    expect(someone).not.toContain('srv-fin-02');
  });

  test('with nothing open it says so, and Slack\'s "/rdp status" spelling works too', async () => {
    const { ask } = setup();
    expect(await ask('U9', '/rdp   STATUS ')).toBe('No open incidents right now.');
  });
});

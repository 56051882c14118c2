import { describe, expect, test } from 'vitest';
import { renderTeamsCard } from '../../../src/bot/render/teams.js';
import { readCardAction } from '../../../src/bot/render/teams-card-data.js';
import type { Incident } from '../../../src/report/incident.js';
import { cardActions } from '../teams-connector.js';

// A card's buttons come back from the client as data the card carried: what renderTeamsCard
// wrote reads back as the press it stands for, and anything else is no press at all.

const HELPDESK = '19:helpdesk0incidents@thread.tacv2';
const incident: Incident = {
  id: 'INC-12',
  target: 'srv-fin-02',
  cause: 'TCP_TIMEOUT',
  state: 'open',
  firstSeen: '2026-12-07T08:02:00.000Z',
  lastSeen: '2026-12-07T08:20:00.000Z',
  summary: 'srv-fin-02:3389 timed out',
  probed: 'srv-fin-02:3389',
  probe: 'tcp',
  reports: 17,
  reporters: [],
};

describe('readCardAction', () => {
  test.for([
    { state: 'open', actions: ['acknowledge', 'resolve'] },
    { state: 'mitigated', actions: ['resolve', 'reopen'] },
    { state: 'resolved', actions: ['reopen'] },
  ] as const)(
    'an incident post ($state): each button, and its Action.Submit fallback, reads back',
    ({ state, actions }) => {
      const buttons = cardActions(renderTeamsCard({ kind: 'incident', incident: { ...incident, state } }));
      for (const data of [buttons.map((b) => b.data), buttons.map((b) => b.fallback.data)])
        expect(data.map((d) => readCardAction(d, HELPDESK))).toEqual(
          actions.map((action) => ({ verb: 'incident', id: 'INC-12', action, channel: HELPDESK })),
        );
    },
  );

  test.for([
    { desc: 'nothing', data: undefined },
    { desc: 'an unknown verb', data: { verb: 'rdp-triage.delete', incidentId: 'INC-1' } },
    {
      desc: 'an unknown incident action',
      data: { verb: 'rdp-triage.incident', incidentId: 'INC-1', action: 'close' },
    },
    {
      desc: 'not an incident id',
      data: { verb: 'rdp-triage.incident', incidentId: "INC-1' OR 1=1", action: 'resolve' },
    },
    {
      desc: 'a fix id with a path',
      data: { verb: 'rdp-triage.feedback', triageId: 't', fixId: '../x', helped: true },
    },
    { desc: 'a rerun without text', data: { verb: 'rdp-triage.rerun', text: '' } },
  ])('$desc is no press', ({ data }) => {
    expect(readCardAction(data, HELPDESK)).toBeUndefined();
  });

  test('a vote and a rerun read back as the core presses them', () => {
    expect(
      readCardAction(
        { verb: 'rdp-triage.feedback', triageId: 'act-2', fixId: 'nla-off', helped: false },
        'a:1',
      ),
    ).toEqual({ verb: 'feedback', key: 'act-2', fixId: 'nla-off', helped: false });
    expect(readCardAction({ verb: 'rdp-triage.rerun', text: 'rdp 0x904 on srv-fin-02' }, 'a:1')).toEqual({
      verb: 'rerun',
      text: 'rdp 0x904 on srv-fin-02',
    });
  });
});

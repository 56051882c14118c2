import { describe, expect, test } from 'vitest';
import { renderSlack } from '../../../src/bot/render/slack.js';
import { renderTeamsCard, TEAMS_VERBS } from '../../../src/bot/render/teams.js';
import { renderText } from '../../../src/bot/render/text.js';
import type { Incident } from '../../../src/report/incident.js';

const incident: Incident = {
  id: 'INC-3',
  target: 'rdg.corp.example',
  cause: 'TLS_CERT_EXPIRED',
  state: 'open',
  firstSeen: '2026-12-07T08:02:11.000Z',
  lastSeen: '2026-12-07T08:20:40.000Z',
  summary: 'certificate expired <!channel>',
  probed: 'rdg.corp.example:443',
  probe: 'tls',
  reports: 17,
  reporters: [],
};

describe('the helpdesk post of an incident', () => {
  test("Slack: title, facts, the state's buttons; probe text cannot ping the channel", () => {
    const message = renderSlack({ kind: 'incident', incident });
    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(message.blocks[1]).toMatchObject({
      text: {
        text: expect.stringContaining(
          'Open · since 2026-12-07 08:02 UTC · 17 reports, the latest at 2026-12-07 08:20 UTC',
        ),
      },
    });
    expect(message.blocks[2]).toEqual({
      type: 'actions',
      block_id: 'incident:INC-3',
      elements: [
        expect.objectContaining({ action_id: 'incident_acknowledge', value: 'INC-3' }),
        expect.objectContaining({ action_id: 'incident_resolve', value: 'INC-3' }),
      ],
    });
    const acknowledged = renderSlack({
      kind: 'incident',
      incident: { ...incident, state: 'mitigated', acknowledgedBy: 'slack:UHELP' },
    });
    expect(JSON.stringify(acknowledged)).toContain('Acknowledged by <@UHELP>');
    const resolved = renderSlack({
      kind: 'incident',
      incident: { ...incident, state: 'resolved', resolvedAt: '2026-12-07T09:00:00.000Z' },
    });
    expect(JSON.stringify(resolved)).toContain('Resolved at 2026-12-07 09:00 UTC');
    expect(resolved.blocks[2]).toMatchObject({ elements: [{ action_id: 'incident_reopen' }] });
  });

  test('Teams: plain text runs (no markdown) and Action.Execute buttons with the incident id', () => {
    const card = renderTeamsCard({
      kind: 'incident',
      incident: { ...incident, state: 'mitigated', acknowledgedBy: 'teams:29:agent' },
    });
    expect(card.body[0]).toMatchObject({
      type: 'RichTextBlock',
      inlines: [{ text: expect.stringContaining('INC-3') }],
    });
    expect(JSON.stringify(card.body)).toContain('Acknowledged by teams:29:agent');
    expect(card.actions?.map((action) => [action.title, action.verb, action.data])).toEqual([
      [
        'Resolve',
        TEAMS_VERBS.incident,
        { verb: TEAMS_VERBS.incident, incidentId: 'INC-3', action: 'resolve' },
      ],
      ['Reopen', TEAMS_VERBS.incident, { verb: TEAMS_VERBS.incident, incidentId: 'INC-3', action: 'reopen' }],
    ]);
  });

  test('text: the same facts for the console and the CLI', () => {
    expect(renderText({ kind: 'incident', incident }, { color: false })).toBe(
      [
        'INC-3 · rdg.corp.example: certificate expired <!channel>',
        'Open · since 2026-12-07 08:02 UTC · 17 reports, the latest at 2026-12-07 08:20 UTC',
        'Cause TLS_CERT_EXPIRED, seen by the tls probe of rdg.corp.example:443',
        'Re-probed on a schedule: two clean probes in a row resolve it, and every reporter is told.',
      ].join('\n'),
    );
  });
});

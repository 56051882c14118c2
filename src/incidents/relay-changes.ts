import type { Incident, IncidentAction } from '../report/incident.js';
import type { IncidentTracker } from './incident-tracker.js';

/** What happened to an incident, as the helpdesk post and the reporters hear of it. */
export interface IncidentChange {
  incident: Incident;
  event: 'opened' | 'attached' | 'acknowledged' | 'resolved' | 'reopened';
}

const ACTED: Record<IncidentAction, IncidentChange['event']> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  reopen: 'reopened',
};

/**
 * The tracker, telling `onChange` of every change it made, after its transaction committed: a
 * report that opened or joined an incident (a user's repeat changes nothing), a resolution by
 * re-probe, a helpdesk agent's action. `onChange` must not throw or block; the tracker's answer
 * never waits for it.
 */
export function relayChanges(
  tracker: IncidentTracker,
  onChange: (change: IncidentChange) => void,
): IncidentTracker {
  const told = <T extends { incident: Incident; opened: boolean; repeat: boolean }>(notices: T[]) => {
    for (const { incident, opened, repeat } of notices)
      if (!repeat) onChange({ incident, event: opened ? 'opened' : 'attached' });
    return notices;
  };
  return {
    ...tracker,
    observe: async (report, reporter) => told(await tracker.observe(report, reporter)),
    observeMonitor: async (report, monitor) => told(await tracker.observeMonitor(report, monitor)),
    async recheck(id, report) {
      const result = await tracker.recheck(id, report);
      if (result?.outcome === 'resolved') onChange({ incident: result.incident, event: 'resolved' });
      return result;
    },
    async act(id, action, by) {
      const result = await tracker.act(id, action, by);
      if (result?.changed) onChange({ incident: result.incident, event: ACTED[action] });
      return result;
    },
  };
}

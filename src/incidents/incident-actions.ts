import type { Requester } from '../access/roles.js';
import type { IncidentAction } from '../report/incident.js';
import type { IncidentTracker } from './incident-tracker.js';

/** A helpdesk agent pressed Acknowledge, Resolve or Reopen on an incident's post. */
export interface IncidentPress {
  id: string;
  action: IncidentAction;
  /** Who pressed, and in which channel (roles may be granted by channel). */
  by: Requester;
}

const DONE: Record<IncidentAction, string> = {
  acknowledge: 'acknowledged — the helpdesk post now says you are on it',
  resolve: 'resolved — every reporter is being told',
  reopen: 'reopened — it is re-probed again and collects new reports',
};

/**
 * What pressing an incident's button does: only someone whose roles may probe the incident's
 * target may change it (the same access rules as probing); the change is audited by the tracker
 * and the helpdesk post follows it. Resolves to the line the agent is shown.
 */
export function createIncidentPress({
  incidents,
  visible,
}: {
  incidents: Pick<IncidentTracker, 'get' | 'act'>;
  /** The access gate's `visible`: which targets the presser may probe. */
  visible: (requester: Requester, targets: readonly string[]) => Promise<string[]>;
}): (press: IncidentPress) => Promise<string> {
  return async ({ id, action, by }) => {
    const incident = await incidents.get(id);
    if (!incident) return `${id} is not an incident I know.`;
    const allowed = await visible(by, [incident.target]);
    if (allowed.length === 0)
      return `Your roles may not change incidents on ${incident.target} (config access.roles).`;
    const result = await incidents.act(id, action, { platform: by.platform, user: by.user });
    if (!result) return `${id} is not an incident I know.`;
    if (!result.changed)
      return `${id} is already ${result.incident.state === 'mitigated' ? 'acknowledged' : result.incident.state}.`;
    return `${id} ${DONE[action]}.`;
  };
}

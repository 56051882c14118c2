import { type Incident, utcMinute } from '../report/incident.js';

/** At most this many incidents in one `rdp status` reply; the rest are counted. */
const MAX_LISTED = 20;

/** `rdp status`: the open incidents this user may see, newest first, one line each. */
export function statusText(incidents: readonly Incident[], { hidden = 0 }: { hidden?: number } = {}): string {
  const withheld = hidden > 0 ? ` (${hidden} more on targets your roles do not cover are not shown)` : '';
  if (incidents.length === 0) return `No open incidents right now${withheld}.`;
  const lines = incidents.slice(0, MAX_LISTED).map((incident) => {
    const state = incident.state === 'mitigated' ? ', acknowledged by the helpdesk' : '';
    const reports = `${incident.reports} report${incident.reports === 1 ? '' : 's'}`;
    return `• ${incident.id} ${incident.target}: ${incident.summary || incident.cause} — since ${utcMinute(incident.firstSeen)}, ${reports}${state}`;
  });
  const more = incidents.length > MAX_LISTED ? [`…and ${incidents.length - MAX_LISTED} more.`] : [];
  const count = `${incidents.length} open incident${incidents.length === 1 ? '' : 's'}${withheld}:`;
  return [count, ...lines, ...more].join('\n');
}

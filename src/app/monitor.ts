import pLimit from 'p-limit';
import type { Config } from '../config/schema.js';
import { hostOf } from '../incidents/failing-causes.js';
import type { Incident } from '../report/incident.js';
import type { Report } from '../report/report.js';
import type { Bot } from './assemble.js';

/** One thing a monitor pass changed or saw, as `monitor --once` prints it. */
export interface MonitorChange {
  /** `opened`/`attached`: a monitor's second failure in a row; `green`/`resolved`/`failing`: a re-probe. */
  change: 'opened' | 'attached' | 'failing' | 'green' | 'resolved' | 'no-evidence';
  incident?: Incident;
  /** The monitor, or the incident's target for a re-probe. */
  source: string;
  detail?: string;
}

/** Probes at once in one pass; each still has its own deadline. */
const PARALLEL = 8;

/**
 * One pass (issue 19): every configured monitor is probed through the normal jump and allow rules
 * (two failures in a row open an incident), then every open incident's target is probed again
 * (two clean probes in a row resolve it). The state lives in the store, so passes run by
 * `monitor --once` from cron add up exactly as the ones serve runs.
 */
export async function runMonitorPass(
  bot: Bot,
  config: Config,
  signal: AbortSignal,
): Promise<MonitorChange[]> {
  const limit = pLimit(PARALLEL);
  const probe = (text: string) => {
    const understanding = { ...bot.understand(text), intent: 'rdp_failure' as const };
    return bot.triage(understanding, { signal });
  };
  const monitored = await Promise.all(
    config.monitors.map((monitor) =>
      limit(async (): Promise<MonitorChange[]> => {
        const name = monitor.name ?? monitor.host ?? `${monitor.gateway}`;
        const report = await probe(
          monitor.host === undefined
            ? `rdp via ${monitor.gateway}`
            : `rdp to ${monitor.host}${monitor.gateway ? ` via ${monitor.gateway}` : ''}`,
        );
        return bot.incidents.observeMonitor(report, name).map(({ incident, opened }) => ({
          change: opened ? 'opened' : 'attached',
          incident,
          source: name,
        }));
      }),
    ),
  );
  // An incident a monitor opened just now was probed just now: its re-probes start with the next pass.
  const fresh = new Set(
    monitored
      .flat()
      .flatMap(({ change, incident }) => (change === 'opened' && incident ? [incident.id] : [])),
  );
  const open = bot.incidents.list().filter((incident) => !fresh.has(incident.id));
  const rechecked = await Promise.all(
    open.map((incident) =>
      limit(async (): Promise<MonitorChange> => {
        // A gateway's failure is asked of the gateway; anything else of the host and port it failed on.
        const text = isGatewayFinding(incident, config)
          ? `rdp via ${incident.target}`
          : `rdp to ${incident.probed}`;
        const report = await probe(text);
        if (!hasEvidence(report, incident))
          return { change: 'no-evidence', incident, source: incident.target, ...refusalOf(report) };
        const result = bot.incidents.recheck(incident.id, report);
        return result
          ? { change: result.outcome, incident: result.incident, source: incident.target }
          : { change: 'no-evidence', incident, source: incident.target };
      }),
    ),
  );
  return [...monitored.flat(), ...rechecked];
}

/**
 * The gateway probe's findings, and the TLS finding on a gateway port that is no RDP port (the
 * certificate the gateway showed): asked again as a host, `rdg:443` would be refused (not an RDP port).
 */
function isGatewayFinding(incident: Incident, config: Config): boolean {
  if (incident.probe === 'gateway') return true;
  const port = Number(/:(\d+)$/.exec(incident.probed)?.[1]);
  return (
    incident.probe === 'tls' &&
    config.probes.gatewayPorts.includes(port) &&
    !config.probes.rdpPorts.includes(port)
  );
}

/** A probe that was refused or never reached the target says nothing about whether it is fixed. */
function hasEvidence(report: Report, incident: Incident): boolean {
  return report.findings.some(
    (finding) =>
      finding.status !== 'refused' &&
      finding.status !== 'skipped' &&
      hostOf(finding.target) === incident.target,
  );
}

function refusalOf(report: Report): { detail?: string } {
  const reason = report.refusals[0]?.reason;
  return reason === undefined ? {} : { detail: reason };
}

import pLimit from 'p-limit';
import type { MonitorConfig } from '../config/incidents-schema.js';
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

/** What monitors use of the bot: its understand and triage, and the incidents they feed. */
export type MonitorBot = Pick<Bot, 'understand' | 'triage' | 'incidents'>;

/** Probes at once in one pass; each still has its own deadline. */
const PARALLEL = 8;

/** The name a monitor goes by in incidents, logs and job schedulers. */
export const monitorName = (monitor: MonitorConfig): string =>
  monitor.name ?? monitor.host ?? `${monitor.gateway}`;

/**
 * One pass (issue 19): every configured monitor is probed through the normal jump and allow rules
 * (two failures in a row open an incident), then every open incident's target is probed again
 * (two clean probes in a row resolve it). The state lives in the store, so passes run by
 * `monitor --once` from cron add up exactly as the ones serve runs.
 */
export async function runMonitorPass(
  bot: MonitorBot,
  config: Config,
  signal: AbortSignal,
): Promise<MonitorChange[]> {
  const limit = pLimit(PARALLEL);
  const monitored = await Promise.all(
    config.monitors.map((monitor) => limit(() => runMonitor(bot, monitor, signal))),
  );
  // An incident a monitor opened just now was probed just now: its re-probes start with the next pass.
  const fresh = new Set(
    monitored
      .flat()
      .flatMap(({ change, incident }) => (change === 'opened' && incident ? [incident.id] : [])),
  );
  const open = (await bot.incidents.list()).filter((incident) => !fresh.has(incident.id));
  const rechecked = await recheckIncidents(bot, config.probes, open, signal, limit);
  return [...monitored.flat(), ...rechecked];
}

/** One monitor's probe: its second failure in a row opens (or joins) an incident. */
export async function runMonitor(
  bot: MonitorBot,
  monitor: MonitorConfig,
  signal: AbortSignal,
): Promise<MonitorChange[]> {
  const name = monitorName(monitor);
  // A monitor names a host (reached through its gateway, if any) or a gateway alone.
  const text =
    monitor.host === undefined
      ? `rdp via ${monitor.gateway}`
      : `rdp to ${monitor.host}${monitor.gateway ? ` via ${monitor.gateway}` : ''}`;
  const report = await probe(bot, text, signal);
  const notices = await bot.incidents.observeMonitor(report, name);
  return notices.map(({ incident, opened }) => ({
    change: opened ? 'opened' : 'attached',
    incident,
    source: name,
  }));
}

/** Re-probes open incidents' targets: two clean probes in a row resolve one. */
export async function recheckIncidents(
  bot: MonitorBot,
  probes: Config['probes'],
  open: readonly Incident[],
  signal: AbortSignal,
  limit = pLimit(PARALLEL),
): Promise<MonitorChange[]> {
  return Promise.all(
    open.map((incident) =>
      limit(async (): Promise<MonitorChange> => {
        // A gateway's failure is asked of the gateway; anything else of the host and port it failed on.
        const text = isGatewayFinding(incident, probes)
          ? `rdp via ${incident.target}`
          : `rdp to ${incident.probed}`;
        const report = await probe(bot, text, signal);
        if (!hasEvidence(report, incident))
          return { change: 'no-evidence', incident, source: incident.target, ...refusalOf(report) };
        const result = await bot.incidents.recheck(incident.id, report);
        return result
          ? { change: result.outcome, incident: result.incident, source: incident.target }
          : { change: 'no-evidence', incident, source: incident.target };
      }),
    ),
  );
}

function probe(bot: MonitorBot, text: string, signal: AbortSignal): Promise<Report> {
  const understanding = { ...bot.understand(text), intent: 'rdp_failure' as const };
  return bot.triage(understanding, { signal });
}

/**
 * The gateway probe's findings, and the TLS finding on a gateway port that is no RDP port (the
 * certificate the gateway showed): asked again as a host, `rdg:443` would be refused (not an RDP port).
 */
function isGatewayFinding(incident: Incident, probes: Config['probes']): boolean {
  if (incident.probe === 'gateway') return true;
  const port = Number(/:(\d+)$/.exec(incident.probed)?.[1]);
  return incident.probe === 'tls' && probes.gatewayPorts.includes(port) && !probes.rdpPorts.includes(port);
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

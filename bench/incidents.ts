// npm run bench:incidents — a burst of outage reports through the real incident tracker (SQLite
// store in a temp file, the bot's own schema and pragmas) and the real helpdesk notifier: 1,000
// reports of 20 outages from 500 users within one minute of simulated time. Bars (issue 19):
// exactly 20 incidents, no incident posted twice in the helpdesk channel, p99 added latency per
// report ≤ 5 ms (what the tracker adds to a reply: one SQLite transaction and the notifier's
// hand-off). Printed next to a baseline measured in the same run: understand() of the same
// message, which every reply runs anyway, and one bare commit to the same file (the floor of any
// durable write). Exits 1 when a bar fails.
//   BENCH_REPORTS=5000 npm run bench:incidents
//   BENCH_SYNCHRONOUS=NORMAL npm run bench:incidents   # the store's durability traded for latency
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createIncidentNotifier, type ShowMessage } from '../src/app/incident-notifier.js';
import { incidentsSchema } from '../src/config/incidents-schema.js';
import { createCodeBook } from '../src/fixes/code-book.js';
import { createIncidentPosts } from '../src/incidents/incident-posts.js';
import { createIncidentTracker, describeNotice } from '../src/incidents/incident-tracker.js';
import { relayChanges } from '../src/incidents/relay-changes.js';
import { understand } from '../src/intents/understand.js';
import { createSilentLogger } from '../src/log/logger.js';
import type { Finding } from '../src/report/finding.js';
import { openDatabase } from '../src/store/sqlite.js';

const REPORTS = Math.min(20_000, Math.max(100, Number(process.env.BENCH_REPORTS ?? 1000)));
const OUTAGES = 20;
const USERS = 500;
const SPAN_MS = 60_000;
/** What one Slack Web API call takes, about (chat.postMessage / chat.update from a nearby region). */
const SLACK_CALL_MS = 40;
const HELPDESK = 'C0HELPDESK';
const BARS = { incidents: OUTAGES, duplicatePosts: 0, p99Ms: 5 };

// Each outage is a different target and a different way of being down, as the probes report it.
const FAILURES: { probe: Finding['probe']; status: Finding['status']; code: string; port: number }[] = [
  { probe: 'tcp', status: 'timeout', code: 'TCP_TIMEOUT', port: 3389 },
  { probe: 'tcp', status: 'fail', code: 'TCP_REFUSED', port: 3389 },
  { probe: 'dns', status: 'fail', code: 'DNS_NXDOMAIN', port: 0 },
  { probe: 'tls', status: 'fail', code: 'TLS_CERT_EXPIRED', port: 443 },
  { probe: 'gateway', status: 'fail', code: 'GATEWAY_NOT_RDG', port: 443 },
];
const outage = (k: number) => {
  const failure = FAILURES[k % FAILURES.length] as (typeof FAILURES)[number];
  const host = `srv-${String(k).padStart(2, '0')}.corp.example`;
  const target = failure.port === 0 ? host : `${host}:${failure.port}`;
  const findings: Finding[] = [
    ...(failure.probe === 'dns'
      ? []
      : [
          {
            probe: 'dns',
            target: host,
            status: 'ok',
            code: 'DNS_OK',
            summary: `${host} → 10.1.0.${k}`,
            ms: 3,
          } as Finding,
        ]),
    {
      probe: failure.probe,
      target,
      status: failure.status,
      code: failure.code,
      summary: `${target}: ${failure.code}`,
      ms: 900,
    },
  ];
  return { host, findings };
};
const outages = Array.from({ length: OUTAGES }, (_, k) => outage(k));

// A fixed pseudo-random sequence (LCG): the same burst every run, outages and users interleaved.
let seed = 0x1905;
const next = (n: number) => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return (seed >>> 8) % n;
};
// Every one of the 500 users reports (twice on average), in a shuffled order.
const users = Array.from({ length: USERS }, (_, u) => `U${String(u).padStart(4, '0')}`);
for (let u = USERS - 1; u > 0; u--) {
  const v = next(u + 1);
  [users[u], users[v]] = [users[v] as string, users[u] as string];
}
const reports = Array.from({ length: REPORTS }, (_, i) => ({
  at: Math.floor((i * SPAN_MS) / REPORTS),
  outage: next(OUTAGES),
  user: users[(i * 7) % USERS] as string,
}));

const dir = mkdtempSync(join(tmpdir(), 'rdp-triage-bench-incidents-'));
const db = openDatabase(join(dir, 'store.sqlite'));
// The store commits with synchronous=FULL (src/store/sqlite.ts: survives power loss, one fsync per
// commit). BENCH_SYNCHRONOUS=NORMAL measures the alternative (WAL: survives kill -9, not power loss).
const synchronous = process.env.BENCH_SYNCHRONOUS?.toUpperCase();
if (synchronous === 'NORMAL' || synchronous === 'FULL') db.pragma(`synchronous = ${synchronous}`);
const durability = db.pragma('synchronous', { simple: true }) === 2 ? 'FULL' : 'NORMAL';
try {
  const start = Date.parse('2026-12-07T08:00:00Z');
  let clock = start;
  const config = incidentsSchema.parse({ helpdesk: { slack: HELPDESK } });
  const tracker = createIncidentTracker(db, config, { now: () => clock });

  // The helpdesk channel as Slack would be reached: each call takes a while; posts are counted per incident.
  const posted = new Map<string, number>();
  let edits = 0;
  let refs = 0;
  const shownReports = new Map<string, number>();
  const show: ShowMessage = async (where, reply) => {
    await delay(SLACK_CALL_MS);
    if (reply.kind !== 'incident') return where.messageRef ?? '';
    const { id, reports: count } = reply.incident;
    shownReports.set(id, count);
    if (where.messageRef) {
      edits += 1;
      return where.messageRef;
    }
    posted.set(id, (posted.get(id) ?? 0) + 1);
    refs += 1;
    return `1765094400.${String(refs).padStart(6, '0')}`;
  };
  const notifier = createIncidentNotifier({
    posts: createIncidentPosts(db),
    helpdesk: config.helpdesk,
    reportersOf: (id) => tracker.reportersOf(id),
    logger: createSilentLogger(),
  });
  // Slack's edit budget per message (SLACK_MIN_UPDATE_INTERVAL_MS) would stretch the run to minutes
  // of wall time; without it every change is an edit, which is the harder case for duplicates.
  notifier.register('slack', show);
  const incidents = relayChanges(tracker, notifier.onChange);

  const codeBook = createCodeBook();
  const texts = outages.map(({ host }) => `rdp 0x204 on ${host}, cannot connect since 08:00`);
  // Warm-up on another target, as a bot that has been running: first-use costs are not the bar.
  for (let i = 0; i < 50; i++) {
    understand(texts[i % OUTAGES] as string, { codeBook });
    await tracker.observe(
      {
        findings: [
          {
            probe: 'tcp',
            target: 'warm.corp.example:3389',
            status: 'ok',
            code: 'TCP_OPEN',
            summary: '',
            ms: 1,
          },
        ],
      },
      { platform: 'slack', user: `W${i}`, channel: 'C0WARM' },
    );
  }

  const added: number[] = [];
  const baseline: number[] = [];
  // The floor of any durable write: one bare commit to the same file (what /readyz writes), as many
  // as there are reports, just before them.
  const touch = db.prepare('INSERT OR REPLACE INTO store_health (id, at_ms) VALUES (1, ?)');
  const commits: number[] = [];
  for (let i = 0; i < REPORTS; i++) {
    const t = performance.now();
    touch.run(start + i);
    commits.push(performance.now() - t);
    if (i % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
  }
  let told = 0;
  for (const [i, report] of reports.entries()) {
    clock = start + report.at;
    const text = texts[report.outage] as string;
    let t = performance.now();
    understand(text, { codeBook });
    baseline.push(performance.now() - t);
    t = performance.now();
    // What the reply path adds (conversation.ts knownIncidents): observe, then the notice line.
    const notices = await incidents.observe(
      { findings: (outages[report.outage] as (typeof outages)[number]).findings },
      {
        platform: 'slack',
        user: report.user,
        channel: `C${i % 12}`,
        thread: `1765094400.${i}`,
        messageRef: `r${i}`,
      },
    );
    const lines = notices.map(describeNotice);
    added.push(performance.now() - t);
    told += lines.length;
    // Reports arrive as separate events: the notifier's posts and edits run between them.
    if (i % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
  }
  const drainStarted = performance.now();
  await notifier.idle();
  const drainMs = performance.now() - drainStarted;
  notifier.stop();

  const all = await tracker.list({ all: true });
  const duplicatePosts = [...posted.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const unposted = all.filter((incident) => !posted.has(incident.id)).length;
  const stale = all.filter((incident) => shownReports.get(incident.id) !== incident.reports).length;
  const quantile = (list: number[], q: number) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  };
  const p99 = quantile(added, 0.99);
  const reporters = new Set(reports.map((report) => report.user)).size;
  const attached = all.reduce((sum, incident) => sum + incident.reports, 0);
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const passes = {
    incidents: all.length === BARS.incidents,
    posts: duplicatePosts === BARS.duplicatePosts && unposted === 0 && stale === 0,
    latency: p99 <= BARS.p99Ms,
  };
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(
    [
      `bench:incidents — ${REPORTS} reports of ${OUTAGES} outages from ${reporters} users in ${SPAN_MS / 1000} s (simulated), SQLite store in ${dir} (synchronous=${durability})`,
      `  incidents ${all.length} (bar ${BARS.incidents})  ${verdict(passes.incidents)}; ${attached} distinct reporters attached, ${told} replies told "known problem"`,
      `  helpdesk posts ${[...posted.values()].reduce((a, b) => a + b, 0)}, duplicate posts ${duplicatePosts} (bar 0), incidents never posted ${unposted}, posts not showing the final count ${stale}  ${verdict(passes.posts)}; ${edits} edits, drained ${ms(drainMs)} after the last report (Slack call ${SLACK_CALL_MS} ms)`,
      `  added latency per report p50 ${ms(quantile(added, 0.5))}, p99 ${ms(p99)}, max ${ms(quantile(added, 1))} (bar p99 ≤ ${BARS.p99Ms} ms)  ${verdict(passes.latency)}`,
      `  baseline, understand() of the same message: p50 ${ms(quantile(baseline, 0.5))}, p99 ${ms(quantile(baseline, 0.99))} — the tracker's p99 is ${(p99 / Math.max(quantile(baseline, 0.99), 1e-6)).toFixed(1)}× it`,
      `  baseline, one bare commit to the same file: p50 ${ms(quantile(commits, 0.5))}, p99 ${ms(quantile(commits, 0.99))} — the tracker's p99 is ${(p99 / Math.max(quantile(commits, 0.99), 1e-6)).toFixed(1)}× it`,
    ].join('\n'),
  );
  if (!Object.values(passes).every(Boolean)) process.exitCode = 1;
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

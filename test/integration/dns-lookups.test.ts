import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/report/report.js';
import { lastReplySurface } from '../helpers/last-reply.js';
import { labConfigObject } from './lab/lab-config.js';
import type { LabInfo } from './lab/lab-plan.js';
import { describeWithLab } from './lab/lab-suite.js';

// Issue 22, acceptance: a lookup sends the name a chat user wrote to the resolver, so a name no
// rule allows is refused without one. The lab's dnsmasq (the site resolver, reached through the
// jump) logs every query it receives (--log-queries): a message naming 20 disallowed names makes
// none; allowed names are looked up once each. The disallowed names are routed through the jump
// (suffix corp.test, short names by the jump's search domain), so a lookup, if one were made,
// would land in this very log — the control case at the end shows it does when the config asks.

const DISALLOWED = [
  ...Array.from({ length: 14 }, (_, i) => `leak-${String(i + 1).padStart(2, '0')}.corp.test`),
  ...Array.from({ length: 6 }, (_, i) => `leak-box-${i + 1}`),
];
const ALLOWED = ['rdp-ok.lab', 'tls-ok.lab', 'web.lab'];

let bot: Bot | null = null;
let checking: Bot | null = null;
let log = '';

function botFor(lab: LabInfo, resolveToCheck: boolean): Bot {
  const base = labConfigObject(lab, { timeoutMs: 3000, extraSuffixes: ['corp.test'] });
  const config = configSchema.parse({
    ...base,
    allow: { ...base.allow, resolveToCheck },
    probes: { ...base.probes, maxHostsPerMessage: 20 },
  });
  return assembleBot({ config, notice: () => {} });
}

async function send(target: Bot, text: string): Promise<Report> {
  const { surface, last } = lastReplySurface();
  await target.conversation.handle(
    { platform: 'console', id: text.slice(0, 20), user: 'u1', channel: 'console', text },
    surface,
    AbortSignal.timeout(60_000),
  );
  const reply = last();
  if (reply?.kind !== 'report') throw new Error(`no report: ${JSON.stringify(reply)}`);
  return reply.report;
}

/** The names dnsmasq logged a query for since byte `from` of its log (type → name → count). */
function queriesSince(from: number): Map<string, number> {
  const counts = new Map<string, number>();
  const text = readFileSync(log).subarray(from).toString('utf8');
  for (const match of text.matchAll(/query\[(A|AAAA)\] (\S+) from/g)) {
    const key = `${match[1]} ${match[2]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Polls the log (dnsmasq writes it as it answers) until `done` holds, at most `ms`. */
async function logUntil(from: number, done: (q: Map<string, number>) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  let queries = queriesSince(from);
  while (!done(queries) && Date.now() < deadline) {
    await pause(50);
    queries = queriesSince(from);
  }
  return queries;
}

describeWithLab('DNS lookups only for allowed names', (lab) => {
  beforeAll(() => {
    log = join(lab.dir, 'dnsmasq.queries.log');
    bot = botFor(lab, false);
    checking = botFor(lab, true);
  });
  afterAll(async () => {
    await bot?.close();
    await checking?.close();
  });

  test('20 disallowed names: zero queries; then 3 allowed names: one A query each', async () => {
    expect(existsSync(log)).toBe(true);
    const start = statSync(log).size;

    const refused = await send(bot as Bot, `rdp 0x904 on ${DISALLOWED.join(', ')}`);
    expect(refused.understanding.hosts.map((host) => host.name)).toEqual(DISALLOWED);
    expect(refused.findings).toEqual([]);
    expect(refused.refusals.map((r) => r.target)).toEqual(DISALLOWED);
    for (const refusal of refusals(refused))
      expect(refusal).toMatch(/not looked up to check their address unless allow\.resolveToCheck is on$/);

    // The allowed names' queries come after any the first message could have caused: once they
    // are in the log, a query for a disallowed name would be there too.
    const allowed = await send(bot as Bot, `rdp 0x904 on ${ALLOWED.join(' and on ')}`);
    expect(allowed.refusals).toEqual([]);
    // Findings arrive as their lookups finish, in any order.
    expect(
      allowed.findings
        .filter((f) => f.probe === 'dns')
        .map((f) => f.target)
        .sort(),
    ).toEqual([...ALLOWED].sort());
    const queries = await logUntil(start, (q) => ALLOWED.every((name) => q.has(`A ${name}`)));
    for (const name of ALLOWED) expect(queries.get(`A ${name}`), name).toBe(1);
    const leaked = [...queries.keys()].filter((key) => /leak/.test(key));
    expect(leaked).toEqual([]);
    // Nothing else either: only the allowed names (A, and AAAA where the resolver asks for both).
    expect(
      [...queries.keys()].map((key) => key.split(' ')[1]).filter((name) => !ALLOWED.includes(name ?? '')),
    ).toEqual([]);
  });

  test('control: with allow.resolveToCheck on, the same kind of name is looked up (so the log would show a leak)', async () => {
    const start = statSync(log).size;
    const report = await send(checking as Bot, 'rdp 0x904 on leak-control.corp.test');
    expect(report.findings.map((f) => f.probe)).toContain('dns');
    const queries = await logUntil(start, (q) => q.has('A leak-control.corp.test'));
    expect(queries.get('A leak-control.corp.test')).toBe(1);
  });
});

function refusals(report: Report): string[] {
  return report.refusals.map((r) => r.reason);
}

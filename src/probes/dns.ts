import { lookup } from 'node:dns/promises';
import { raceAbort } from '../race-abort.js';
import type { Finding } from '../report/finding.js';

export type Resolve = (name: string, signal: AbortSignal) => Promise<string[]>;

/** Resolves with the system resolver. `lookup` cannot be cancelled, so the deadline races it. */
export const resolveWithSystem: Resolve = async (name, signal) => {
  const answers = await raceAbort(lookup(name, { all: true, verbatim: true }), signal);
  return answers.map((answer) => answer.address);
};

/** Name → addresses, telling NXDOMAIN from a resolver failure and from a deadline. */
export async function probeDns(
  name: string,
  {
    resolve = resolveWithSystem,
    signal,
    now = performance.now.bind(performance),
  }: { resolve?: Resolve; signal: AbortSignal; now?: () => number },
): Promise<{ finding: Finding; addresses: string[] }> {
  const started = now();
  const done = (
    status: Finding['status'],
    code: string,
    summary: string,
    addresses: string[] = [],
    error?: string,
  ) => ({
    finding: {
      probe: 'dns' as const,
      target: name,
      status,
      code,
      summary,
      detail: { addresses, ...(error && { error }) },
      ms: Math.round(now() - started),
    },
    addresses,
  });
  try {
    const addresses = await resolve(name, signal);
    if (addresses.length === 0) return done('fail', 'DNS_NO_ANSWER', `DNS: ${name} has no address records`);
    return done('ok', 'DNS_OK', `DNS: ${name} → ${addresses.slice(0, 3).join(', ')}`, addresses);
  } catch (error) {
    if (signal.aborted)
      return done('timeout', 'DNS_TIMEOUT', `DNS: no answer for ${name} before the deadline`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND')
      return done('fail', 'DNS_NXDOMAIN', `DNS: ${name} does not exist (NXDOMAIN)`, [], code);
    if (code === 'ENODATA')
      return done('fail', 'DNS_NO_ANSWER', `DNS: ${name} has no address records`, [], code);
    return done(
      'fail',
      'DNS_SERVER_FAILURE',
      `DNS: lookup of ${name} failed (${code ?? 'resolver error'})`,
      [],
      code,
    );
  }
}

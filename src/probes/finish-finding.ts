import type { Finding, ProbeKind } from '../report/finding.js';

/** Builds one probe's Finding from its outcome, with the time taken since `startedAt`. */
export type Finish = (
  status: Finding['status'],
  code: string,
  summary: string,
  detail: Record<string, unknown>,
) => Finding;

export function findingFinisher(
  probe: ProbeKind,
  where: string,
  now: () => number,
  startedAt: number,
): Finish {
  return (status, code, summary, detail) => ({
    probe,
    target: where,
    status,
    code,
    summary,
    detail,
    ms: Math.round(now() - startedAt),
  });
}

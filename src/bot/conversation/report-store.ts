import { LRUCache } from 'lru-cache';
import type { Reply } from '../../report/reply.js';
import type { Report } from '../../report/report.js';

/** One vote shown on a posted report: who said the fix helped or not. */
export interface VoteMark {
  helped: boolean;
  /** Platform user id. */
  user: string;
  /** Display name, when the platform sent one (Teams shows "marked by …"). */
  name?: string;
}

/** A report the bot posted, kept so its buttons can redraw it (votes, all fixes, run again). */
export interface PostedReport {
  report: Report;
  /** The reply's note (what a screenshot or an .rdp file said), kept across redraws. */
  note?: string;
  /** What "Run probes again" sends: the text the report was made from. */
  rerunText: string;
  /** Id the votes on this report are recorded under; the store key when absent. */
  triageId?: string;
  votes: Record<string, VoteMark>;
  /** The surface's own view of the message (Slack: expanded, requested by); opaque to the core. */
  view?: Record<string, unknown>;
}

export interface ReportStore {
  get(key: string): PostedReport | undefined;
  remember(key: string, posted: PostedReport): void;
}

/** Posted reports outlive their triage for a day or the last 1,000 messages, whichever ends first. */
const DEFAULT_MAX_REPORTS = 1000;
const DEFAULT_TTL_MS = 24 * 60 * 60_000;

/**
 * The one store of posted reports every surface uses. Bounded in count and age: a button on an
 * older message gets a short "no longer in memory" notice from its adapter instead.
 */
export function createReportStore({
  max = DEFAULT_MAX_REPORTS,
  ttlMs = DEFAULT_TTL_MS,
}: {
  max?: number;
  ttlMs?: number;
} = {}): ReportStore {
  const cache = new LRUCache<string, PostedReport>({ max, ttl: ttlMs });
  return {
    get: (key) => cache.get(key),
    remember: (key, posted) => {
      cache.set(key, posted);
    },
  };
}

/** The store entry for a final report reply, answering `requestText` (the message as typed). */
export function postedReport(
  reply: Extract<Reply, { kind: 'report' }>,
  requestText: string,
  extra: Pick<PostedReport, 'triageId' | 'view'> = {},
): PostedReport {
  return {
    report: reply.report,
    ...(reply.note !== undefined && { note: reply.note }),
    rerunText: reply.requestText ?? requestText,
    votes: {},
    ...extra,
  };
}

/** The reply a posted report is redrawn from (a button's answer): its report and note, as posted. */
export function postedReply({ report, note }: PostedReport): Extract<Reply, { kind: 'report' }> {
  return { kind: 'report', report, ...(note !== undefined && { note }) };
}

import { randomUUID } from 'node:crypto';
import type { Conversation } from '../bot/conversation/conversation.js';
import type { Surface } from '../bot/conversation/ports.js';
import { type Logger, triageLogger } from '../log/logger.js';
import type { Finding } from '../report/finding.js';
import type { Reply } from '../report/reply.js';
import type { Report } from '../report/report.js';
import type { Metrics, TriageOutcome } from './metrics.js';

export interface InstrumentOptions {
  logger: Logger;
  metrics: Metrics;
  /** Jump label per finding for the latency histogram (default `direct`). */
  jumpOf?: (finding: Finding) => string;
  newId?: () => string;
}

/**
 * Logs and counts every handled message without touching the core: one `triage started` and one
 * `triage finished` line per message, both carrying `{ triageId, platform }`, the outcome counted
 * and each probe's latency observed. The user's text is never logged, only its length.
 */
export function instrumentConversation(
  conversation: Conversation,
  { logger, metrics, jumpOf, newId = randomUUID }: InstrumentOptions,
): Conversation {
  return {
    async handle(incoming, surface, signal) {
      const log = triageLogger(logger, { triageId: newId(), platform: incoming.platform });
      const started = performance.now();
      const watched = watchSurface(surface);
      log.info(
        { channel: incoming.channel, user: incoming.user, chars: incoming.text.length },
        'triage started',
      );
      metrics.inFlight(1);
      let report: Report | null = null;
      try {
        report = await conversation.handle(incoming, watched.surface, signal);
        return report;
      } finally {
        metrics.inFlight(-1);
        const limitedBy = report ? rateLimitScopes(report) : [];
        for (const scope of limitedBy) metrics.rateLimitRefusal(scope);
        const outcome =
          limitedBy.length > 0 ? 'rate_limited' : outcomeOf(report, watched.seen, signal.aborted);
        const understanding = report?.understanding ?? watched.understanding();
        if (understanding) metrics.classifier(understanding);
        if (report) metrics.report(report, jumpOf);
        metrics.triage(outcome, incoming.platform);
        log.info(
          {
            outcome,
            ms: Math.round(performance.now() - started),
            ...(understanding && {
              intent: understanding.intent,
              codes: understanding.codes.map((c) => c.value),
            }),
            ...(report && { findings: report.findings.length, refusals: report.refusals.length }),
          },
          'triage finished',
        );
      }
    },
  };
}

interface Seen {
  progress: boolean;
  last: Reply | null;
}

/** Remembers what the core showed, to tell "answered" from "failed" without changing the core. */
function watchSurface(surface: Surface) {
  const seen: Seen = { progress: false, last: null };
  const note = (reply: Reply) => {
    if (reply.kind === 'progress') seen.progress = true;
    seen.last = reply;
  };
  return {
    seen,
    understanding: () => {
      const last = seen.last;
      if (!last) return undefined;
      if (last.kind === 'incident') return undefined;
      return last.kind === 'report' ? last.report.understanding : last.understanding;
    },
    surface: {
      minUpdateIntervalMs: surface.minUpdateIntervalMs,
      post: (reply: Reply) => {
        note(reply);
        return surface.post(reply);
      },
      update: (reply: Reply) => {
        note(reply);
        return surface.update(reply);
      },
    } satisfies Surface,
  };
}

function outcomeOf(report: Report | null, seen: Seen, aborted: boolean): TriageOutcome {
  if (report) return report.findings.length === 0 && report.refusals.length > 0 ? 'refused' : 'report';
  if (aborted) return 'interrupted';
  // The core posts a progress message before probing; ending without a report after that means
  // the triage failed and the user was told to try again.
  return seen.progress ? 'failed' : 'answered';
}

/**
 * Which limits held hosts back, read from the refusal reasons the access gate writes
 * (src/access/access-gate.ts: "rate limit of … per person", "you already have …", "this channel
 * already has …"). One count per triage and scope.
 */
function rateLimitScopes(report: Report): ('user' | 'channel')[] {
  const scopes = new Set<'user' | 'channel'>();
  for (const { reason } of report.refusals) {
    if (/^rate limit of .* per person/.test(reason) || /^you already have \d+ triage/.test(reason))
      scopes.add('user');
    if (
      /^rate limit of .* in this channel/.test(reason) ||
      /^this channel already has \d+ triage/.test(reason)
    )
      scopes.add('channel');
  }
  return [...scopes];
}

import type { Report } from '../report/report.js';
import type { Understanding } from '../report/understanding.js';
import type { AuditLog, AuditOutcome, AuditProbe } from './audit-log.js';

export interface AuditResult {
  outcome: AuditOutcome;
  report?: Report;
  error?: string;
}

/** The conversation's view of the audit log: one call when a message arrives, one when it is answered. */
export interface ConversationAudit {
  request(
    incoming: { platform: string; id: string; user: string; channel: string; thread?: string },
    text: string,
    understanding: Understanding,
  ): number;
  outcome(requestId: number, result: AuditResult): void;
}

/** Request id of a request that could not be recorded: its outcome is not written either. */
const FAILED = -1;

/**
 * Adapts the audit log to the conversation. `jumpsOf` names the jump each planned host goes
 * through (from the plan), so every probe row says which jump carried it. Never throws: a failed
 * write (disk full, locked file) goes to `onError` and the conversation still answers.
 */
export function createConversationAudit(
  log: AuditLog,
  {
    jumpsOf = () => new Map(),
    onError = () => {},
  }: {
    jumpsOf?: (understanding: Understanding) => Map<string, string | null>;
    onError?: (error: unknown) => void;
  } = {},
): ConversationAudit {
  const guard = <T>(write: () => T, fallback: T): T => {
    try {
      return write();
    } catch (error) {
      onError(error);
      return fallback;
    }
  };
  return {
    request: (incoming, text, understanding) =>
      guard(
        () =>
          log.recordRequest({
            platform: incoming.platform,
            user: incoming.user,
            channel: incoming.channel,
            thread: incoming.thread,
            messageId: incoming.id,
            text,
            intent: understanding.intent,
            codes: understanding.codes.map((code) => code.value),
            hosts: [
              ...understanding.hosts.map((host) => host.name),
              ...(understanding.gateway ? [understanding.gateway] : []),
            ],
          }),
        FAILED,
      ),
    outcome(requestId, { outcome, report, error }) {
      if (requestId === FAILED) return;
      const jumps = report ? jumpsOf(report.understanding) : new Map<string, string | null>();
      const probes: AuditProbe[] = (report?.findings ?? []).map((finding) => {
        const host = hostOf(finding.target);
        return {
          host,
          target: finding.target,
          probe: finding.probe,
          jump: jumps.get(host) ?? null,
          status: finding.status,
          code: finding.code,
          summary: finding.summary,
          ms: finding.ms,
        };
      });
      guard(
        () =>
          log.recordOutcome(requestId, {
            outcome,
            probes,
            refusals: report?.refusals ?? [],
            ...(error !== undefined && { error }),
          }),
        undefined,
      );
    },
  };
}

/** `srv-fin-02:3389` → `srv-fin-02`; a bare name or IPv6 address stays as it is. */
function hostOf(target: string): string {
  const match = /^(.*[^:]):(\d{1,5})$/.exec(target);
  if (!match?.[1]) return target;
  // "fd00::1:3389" is ambiguous; an IPv6 address keeps its last group.
  return match[1].includes(':') ? target : match[1];
}

import type { AccessGate } from '../../access/access-gate.js';
import { deadlineSignal } from '../../deadline-signal.js';
import { describeError } from '../../errors.js';
import { describeNotice, type IncidentTracker } from '../../incidents/incident-tracker.js';
import { statusText } from '../../incidents/status-text.js';
import { raceAbort } from '../../race-abort.js';
import type { Finding } from '../../report/finding.js';
import type { Reply } from '../../report/reply.js';
import type { Report } from '../../report/report.js';
import type { Understanding } from '../../report/understanding.js';
import type { AuditResult, ConversationAudit } from '../../store/conversation-audit.js';
import { type AttachedFile, describeScreenshot, type ScreenshotReading } from '../attachments/images.js';
import { readRdpAttachments } from '../attachments/rdp-files.js';
import type { Incoming, Surface } from './ports.js';
import { EMPTY_TEXT, FEEDBACK_TEXT, HELP_TEXT, outOfScopeText } from './replies.js';

export interface ConversationDeps {
  understand: (text: string) => Understanding;
  triage: (
    understanding: Understanding,
    options: { signal: AbortSignal; onFinding: (finding: Finding) => void },
  ) => Promise<Report>;
  /** Names of the targets that will be probed, for the "Probing …" line. */
  describeTargets?: (understanding: Understanding) => string[];
  /** Consulted before probing (roles, rate limits); may hold hosts back as refusals. Absent: no limits. */
  access?: AccessGate;
  /** Records every request and its outcome (the audit log). Absent: nothing is recorded. */
  audit?: ConversationAudit;
  /** Groups failing reports into incidents (src/incidents). Absent: every report stands alone. */
  incidents?: Pick<IncidentTracker, 'observe' | 'list'>;
  /** Reads attached screenshots (OCR). Absent: attachments are ignored. */
  readImages?: (files: AttachedFile[], signal: AbortSignal) => Promise<ScreenshotReading>;
  now?: () => number;
}

export interface Conversation {
  /**
   * Answers one message on `surface`. Once the first message is posted it never throws: failures
   * become a text reply in that message. If the surface cannot post at all, that error is rethrown
   * to the adapter, the only place left that can tell the user (ephemeral notice, log).
   */
  handle(incoming: Incoming, surface: Surface, signal: AbortSignal): Promise<Report | null>;
}

const MAX_MESSAGE_CHARS = 40_000;
/** The longest a reply waits for the incident store before it goes out without the incident note. */
const INCIDENT_WAIT_MS = 2000;
/** Typed on their own, these always mean "show me what you can do", whatever the classifier says. */
const HELP_COMMANDS = new Set(['help', '?', '/help', 'usage']);
/** `rdp status` (and `/rdp status`, which Slack sends as `status`): the open incidents. */
const STATUS_COMMANDS = new Set(['status', 'rdp status', '/rdp status', 'incidents', 'rdp incidents']);

export function createConversation({
  understand,
  triage,
  describeTargets = () => [],
  access,
  audit,
  incidents,
  readImages,
  now = Date.now,
}: ConversationDeps): Conversation {
  return {
    async handle(incoming, surface, signal) {
      const typed = sanitise(incoming.text);
      let text = typed;
      // An attached .rdp file is read like its settings pasted in, put first so that understand()'s
      // scan bound never cuts them off; the reply says what was read from it.
      const rdp = await readRdpAttachments(incoming.files ?? [], signal);
      if (rdp.settings !== '') text = text.trim() === '' ? rdp.settings : `${rdp.settings}\n${text}`;
      // A screenshot's text is understood like typed text; the reply says what was read.
      let note: string | undefined;
      let screenshotText: string | null = null;
      if (readImages && rdp.others.length > 0) {
        const reading = await readImages(rdp.others, signal);
        if ('problem' in reading && text.trim() === '') {
          await surface.post({ kind: 'text', text: [...rdp.notes, reading.problem].join('\n') });
          return null;
        }
        if ('problem' in reading) note = reading.problem;
        else {
          screenshotText = sanitise(reading.text);
          text = text.trim() === '' ? screenshotText : `${text}\n${screenshotText}`;
        }
      }
      if (text.trim() === '') {
        await surface.post({ kind: 'text', text: rdp.notes.length > 0 ? rdp.notes.join('\n') : EMPTY_TEXT });
        return null;
      }
      const understanding = understand(text);
      if (screenshotText !== null) note = describeScreenshot(understanding, screenshotText);
      if (rdp.notes.length > 0) note = [...rdp.notes, ...(note === undefined ? [] : [note])].join('\n');
      const withNote = (body: string) => (note ? `${note}\n\n${body}` : body);
      const requestId = audit?.request(incoming, text, understanding);
      const record = (result: AuditResult) => {
        if (requestId !== undefined) audit?.outcome(requestId, result);
      };
      const command = text.trim().toLowerCase().replace(/\s+/g, ' ');
      if (understanding.intent === 'help' || HELP_COMMANDS.has(command)) {
        record({ outcome: 'answered' });
        await surface.post({ kind: 'text', text: withNote(HELP_TEXT), understanding });
        return null;
      }
      if (STATUS_COMMANDS.has(command)) {
        record({ outcome: 'answered' });
        const status = await openIncidentsFor(incoming, incidents, access);
        await surface.post({ kind: 'text', text: withNote(status), understanding });
        return null;
      }
      if (understanding.intent === 'feedback') {
        record({ outcome: 'answered' });
        await surface.post({ kind: 'text', text: withNote(FEEDBACK_TEXT), understanding });
        return null;
      }
      if (understanding.intent === 'out_of_scope') {
        record({ outcome: 'answered' });
        await surface.post({ kind: 'text', text: withNote(outOfScopeText(text)), understanding });
        return null;
      }
      // Held-back hosts are not probed but still answered: knowledge-base fixes plus a refusal line.
      const decision = access ? await access.admit(incoming, understanding) : undefined;
      const probeWith = decision?.understanding ?? understanding;
      const findings: Finding[] = [];
      const progress = (): Reply => ({
        kind: 'progress',
        understanding,
        findings: [...findings],
        targets: describeTargets(probeWith),
        ...(note !== undefined && { note }),
      });
      const edits = createEditQueue(surface, now);
      try {
        try {
          await surface.post(progress());
        } catch (error) {
          // Nothing could be shown at all (e.g. Slack's not_in_channel): the adapter that called
          // us is the only one who can still tell the user, so the error goes back to it.
          record({ outcome: 'failed', error: describeError(error) });
          throw new SurfaceUnavailableError('the first post failed', { cause: error });
        }
        const probed = await triage(probeWith, {
          signal,
          onFinding: (finding) => {
            findings.push(finding);
            edits.schedule(progress);
          },
        });
        const report = decision
          ? { ...probed, understanding, refusals: [...decision.refusals, ...probed.refusals] }
          : probed;
        record({ outcome: outcomeOf(report, decision?.limited ?? false), report });
        const known = await knownIncidents(incidents, report, incoming, surface.messageRef);
        const shown = [...(note === undefined ? [] : [note]), ...known].join('\n');
        await edits.finish({
          kind: 'report',
          report,
          ...(shown !== '' && { note: shown }),
          ...(text !== typed && { requestText: text }),
        });
        return report;
      } catch (error) {
        if (error instanceof SurfaceUnavailableError) throw error.cause;
        record({ outcome: 'failed', error: describeError(error) });
        await edits.finish({
          kind: 'text',
          text: `Sorry, this triage failed: ${describeError(error)}. Please try again.`,
          understanding,
        });
        return null;
      } finally {
        decision?.release();
      }
    },
  };
}

/**
 * "Known problem INC-3 since 08:02 …" for each incident this report joined; a store failure never
 * costs the reply, nor does a slow one: a shared store (Redis) that does not answer within
 * INCIDENT_WAIT_MS leaves the note out (ioredis queues commands through a reconnect).
 */
async function knownIncidents(
  incidents: ConversationDeps['incidents'],
  report: Report,
  { platform, user, channel, thread }: Incoming,
  messageRef: string | undefined,
): Promise<string[]> {
  if (!incidents) return [];
  // Who and where only; the reporter's words stay in the (redacted) audit log.
  const reporter = { platform, user, channel, ...(thread && { thread }), ...(messageRef && { messageRef }) };
  try {
    const notices = await raceAbort(incidents.observe(report, reporter), deadlineSignal(INCIDENT_WAIT_MS));
    return notices.map(describeNotice);
  } catch {
    return [];
  }
}

/** The `rdp status` reply: open incidents on the targets this user may probe (the access rules decide). */
async function openIncidentsFor(
  requester: Incoming,
  incidents: ConversationDeps['incidents'],
  access: ConversationDeps['access'],
): Promise<string> {
  if (!incidents) return 'Incidents are not tracked here (config incidents.enabled is off).';
  const open = await incidents.list();
  const allowed = access
    ? new Set(await access.visible(requester, [...new Set(open.map((incident) => incident.target))]))
    : null;
  const shown = allowed ? open.filter((incident) => allowed.has(incident.target)) : open;
  return statusText(shown, { hidden: open.length - shown.length });
}

/** Marks a failure of the very first post, so the triage's own error handling lets it through. */
class SurfaceUnavailableError extends Error {
  override name = 'SurfaceUnavailableError';
}

function outcomeOf(report: Report, limited: boolean): AuditResult['outcome'] {
  if (limited) return 'rate-limited';
  if (report.findings.length > 0) return 'probed';
  return report.refusals.length > 0 ? 'refused' : 'answered';
}

/**
 * Serialises edits of one message and coalesces them to the surface's budget: at most one edit
 * per `minUpdateIntervalMs`, the latest state wins, and the final edit is always sent.
 */
function createEditQueue(surface: Surface, now: () => number) {
  let chain: Promise<void> = Promise.resolve();
  let lastEdit = Number.NEGATIVE_INFINITY;
  let pending: (() => Reply) | null = null;
  let timer: NodeJS.Timeout | undefined;
  const send = (reply: Reply) => {
    lastEdit = now();
    chain = chain.then(() => surface.update(reply)).catch(() => {});
    return chain;
  };
  const flush = () => {
    timer = undefined;
    if (pending) send(pending());
    pending = null;
  };
  return {
    schedule(build: () => Reply) {
      pending = build;
      // A surface with an infinite budget (the one-shot CLI) shows only the final answer.
      if (timer || !Number.isFinite(surface.minUpdateIntervalMs)) return;
      const wait = lastEdit + surface.minUpdateIntervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    async finish(reply: Reply) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = null;
      await chain;
      // The final answer must not be lost: if editing the message fails (deleted, API error),
      // post it as a new message; if that fails too, the surface has already been told nothing
      // more can be done, and handle() still resolves.
      try {
        await surface.update(reply);
      } catch {
        await surface.post(reply).catch(() => {});
      }
    },
  };
}

/** Control characters and NULs out, length bounded: chat text is untrusted. */
function sanitise(text: string): string {
  const bounded = text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) : text;
  // Keep tab, LF and CR; everything else below 0x20 (and DEL) becomes a space.
  let clean = '';
  for (const char of bounded) {
    const code = char.charCodeAt(0);
    clean += (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f ? ' ' : char;
  }
  return clean;
}

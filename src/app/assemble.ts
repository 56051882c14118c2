import { existsSync } from 'node:fs';
import { createAccessGate } from '../access/access-gate.js';
import type { GateLimits } from '../access/gate-limits.js';
import type { Requester } from '../access/roles.js';
import {
  type AttachedFile,
  createScreenshotReader,
  type ScreenshotReading,
} from '../bot/attachments/images.js';
import { type Conversation, createConversation } from '../bot/conversation/conversation.js';
import type { Config } from '../config/schema.js';
import { loadBuiltinKnowledgeBase } from '../fixes/builtin-kb.js';
import { createCodeBook } from '../fixes/code-book.js';
import { loadKnowledgeBase } from '../fixes/load-kb.js';
import { createIncidentPress, type IncidentPress } from '../incidents/incident-actions.js';
import {
  createIncidentPosts,
  type IncidentPosts,
  type SharedIncidents,
} from '../incidents/incident-posts.js';
import { createIncidentTracker, type IncidentTracker } from '../incidents/incident-tracker.js';
import { type IncidentChange, relayChanges } from '../incidents/relay-changes.js';
import { understand } from '../intents/understand.js';
import { createOcrReader } from '../ocr/ocr-reader.js';
import type { Connector } from '../probes/connector.js';
import { createDirectConnector } from '../probes/direct-connector.js';
import { createJumpPool, type JumpStats } from '../probes/jump-pool.js';
import { hostPort } from '../probes/probe-target.js';
import type { Finding } from '../report/finding.js';
import type { FeedbackStats } from '../report/ranked-fix.js';
import type { Report } from '../report/report.js';
import type { Understanding } from '../report/understanding.js';
import { createConversationAudit } from '../store/conversation-audit.js';
import { type ConversationStore, createMemoryConversationStore } from '../store/conversation-store.js';
import { createMemoryFeedbackStore, type FeedbackStore } from '../store/feedback-store.js';
import { openStore } from '../store/open-store.js';
import { openDatabase, type SqliteDatabase } from '../store/sqlite.js';
import { createAllowlist } from '../triage/allowlist.js';
import { plan } from '../triage/plan.js';
import { runTriage, type TriageDeps } from '../triage/run.js';

export interface Bot {
  conversation: Conversation;
  /** One triage of an understanding with the bot's config, jumps and allow rules (monitors re-probe with it). */
  triage: (
    understanding: Understanding,
    options: { signal: AbortSignal; onFinding?: (finding: Finding) => void },
  ) => Promise<Report>;
  /** The incidents reports are grouped into (Redis with replicas, SQLite with the store, else memory). */
  incidents: IncidentTracker;
  /** Where each incident's helpdesk post is, in the same store. */
  incidentPosts: IncidentPosts;
  /** A helpdesk agent's button on an incident: checked against the access rules, audited. */
  pressIncident: (press: IncidentPress) => Promise<string>;
  /** Where feedback votes go: SQLite when `store.path` is configured, else memory. */
  feedback: FeedbackStore;
  /** Where a surface keeps the conversations it may write to later: SQLite with `store.path`, else memory. */
  conversations: ConversationStore;
  /** Releases pooled connections. */
  close(): Promise<void>;
  /** The bot's understand() (code book, inventory), for surfaces that decide before answering (watched channels). */
  understand: (text: string) => Understanding;
  /** Reads attached screenshots with the bot's OCR thread. */
  readImages: (files: AttachedFile[], signal: AbortSignal) => Promise<ScreenshotReading>;
  /** The jump pool's connection counts per configured jump (for /metrics). */
  poolStats: () => (JumpStats & { jump: string })[];
  /** The SQLite store takes a write (for /readyz); absent when nothing is stored (memory). */
  checkStore?: () => { ok: boolean; detail?: string };
}

/** Wires the pure core to the I/O shell for one config. Every surface (console, CLI, Slack, Teams) starts here. */
export function assembleBot({
  config,
  stats = {},
  groupsOf,
  limits,
  now,
  routeTarget,
  notice = (line) => process.stderr.write(`${line}\n`),
  onIncidentChange,
  sharedIncidents,
}: {
  config: Config;
  stats?: FeedbackStats;
  /** Slack user groups / Teams AAD groups of a requester, for roles granted by group. */
  groupsOf?: (requester: Requester) => Promise<string[]>;
  /** Where rate and concurrency counts live; in-process by default (pass `shared.limits` for replicas). */
  limits?: GateLimits;
  /** Clock of the rate limits (tests). */
  now?: () => number;
  /** Targets probed elsewhere (zone workers, src/ops/zone-dispatcher.ts); absent: all probed here. */
  routeTarget?: TriageDeps['routeTarget'];
  /** Tells the operator something once (where a new audit log is kept); default: a line on stderr. */
  notice?: (line: string) => void;
  /** Told of every incident change (the helpdesk post, reporters told of a resolution). */
  onIncidentChange?: (change: IncidentChange) => void;
  /** Incidents and their helpdesk posts shared by replicas (Redis); absent: in the store file (or memory). */
  sharedIncidents?: SharedIncidents;
}): Bot {
  // Shipped knowledge base + the organisation's kb.extensionsDir, validated before anything opens:
  // a bad extension file stops start-up (TriageError KB_INVALID naming file, line and key).
  const { extensionsDir } = config.kb;
  const kb = extensionsDir === undefined ? loadBuiltinKnowledgeBase() : loadKnowledgeBase({ extensionsDir });
  // Code names and roles from the same knowledge base; configured hosts for "did you mean".
  const codeBook = createCodeBook(kb);
  const allowlist = createAllowlist(config);
  const existed =
    config.store.path === undefined || config.store.path === ':memory:' || existsSync(config.store.path);
  const store = config.store.path ? openStore({ ...config.store, path: config.store.path }) : null;
  // First use of an audit log (by default one under the user's data directory): say where it is.
  if (store && config.store.path && !existed)
    notice(`rdp-triage: keeping the audit log in ${config.store.path} (store.path: none switches it off)`);
  const direct = createDirectConnector();
  // One pooled SSH connection per configured jump, shared by every triage (opened lazily).
  const jumps = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
  const connectorFor = (jump: string | null): Connector => (jump === null ? direct : jumps.connector(jump));
  // Screenshots (issue 12): one OCR thread, started by the first image, ended by close().
  const ocr = createOcrReader();
  const readImages = createScreenshotReader(ocr);
  const understandText = (text: string) => understand(text, { codeBook, inventory: config.inventory });
  // Incidents live in Redis with replicas, else in the store file; without one, in memory for this process.
  const incidentsDb = store || sharedIncidents ? null : openDatabase(':memory:');
  const database = store?.database ?? (incidentsDb as SqliteDatabase);
  const tracker = sharedIncidents?.tracker ?? createIncidentTracker(database, config.incidents);
  const incidents = onIncidentChange ? relayChanges(tracker, onIncidentChange) : tracker;
  const access = createAccessGate({
    config,
    allowlist,
    ...(groupsOf && { groupsOf }),
    ...(limits && { limits }),
    ...(now && { now }),
  });
  const triage: Bot['triage'] = (understanding, options) =>
    runTriage(
      understanding,
      { config, allowlist, connectorFor, stats, kb, ...(routeTarget && { routeTarget }) },
      options,
    );
  const conversation = createConversation({
    ...(config.incidents.enabled && { incidents }),
    readImages,
    understand: understandText,
    triage,
    describeTargets: (understanding) =>
      plan(understanding, config, allowlist).targets.map(
        (target) => `${hostPort(target.name, target.port)}${target.jump ? ` through ${target.jump}` : ''}`,
      ),
    access,
    ...(store && {
      audit: createConversationAudit(store.audit, {
        jumpsOf: (understanding) =>
          new Map(plan(understanding, config, allowlist).targets.map((target) => [target.name, target.jump])),
      }),
    }),
  });
  return {
    conversation,
    triage,
    incidents,
    incidentPosts: sharedIncidents?.posts ?? createIncidentPosts(database),
    pressIncident: createIncidentPress({ incidents, visible: access.visible }),
    feedback: store?.feedback ?? createMemoryFeedbackStore(),
    conversations: store?.conversations ?? createMemoryConversationStore(),
    understand: understandText,
    readImages,
    poolStats: () => config.jumps.map((jump) => ({ jump: jump.name, ...jumps.stats(jump.name) })),
    ...(store && { checkStore: () => store.checkWritable() }),
    close: async () => {
      await jumps.close();
      await ocr.close();
      store?.close();
      incidentsDb?.close();
    },
  };
}

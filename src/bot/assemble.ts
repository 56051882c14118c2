import type { Config } from '../config/schema.js';
import type { FeedbackStats } from '../fixes/ranked-fix.js';
import { understand } from '../intents/understand.js';
import type { Connector } from '../probes/connector.js';
import { createDirectConnector } from '../probes/direct-connector.js';
import { createJumpPool } from '../probes/jump-pool.js';
import { createAllowlist } from '../triage/allowlist.js';
import { plan } from '../triage/plan.js';
import { runTriage } from '../triage/run.js';
import { type Conversation, createConversation } from './conversation.js';

export interface Bot {
  conversation: Conversation;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/** Wires the pure core to the I/O shell for one config. Every surface (console, CLI, Slack, Teams) starts here. */
export function assembleBot({ config, stats = {} }: { config: Config; stats?: FeedbackStats }): Bot {
  const allowlist = createAllowlist(config);
  const direct = createDirectConnector();
  // One pooled SSH connection per configured jump, shared by every triage (opened lazily).
  const jumps = createJumpPool({ jumps: config.jumps, timeoutMs: config.probes.timeoutMs });
  const connectorFor = (jump: string | null): Connector => (jump === null ? direct : jumps.connector(jump));
  const conversation = createConversation({
    understand,
    triage: (understanding, options) =>
      runTriage(understanding, { config, allowlist, connectorFor, stats }, options),
    describeTargets: (understanding) =>
      plan(understanding, config, allowlist).targets.map(
        (target) => `${target.name}:${target.port}${target.jump ? ` through ${target.jump}` : ''}`,
      ),
  });
  return {
    conversation,
    close: async () => {
      await jumps.close();
    },
  };
}

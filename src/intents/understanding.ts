/** What the bot understood from one message. Pure data: the output of `understand()`. */

export const INTENTS = ['rdp_failure', 'rdp_slow_or_quality', 'help', 'feedback', 'out_of_scope'] as const;
export type Intent = (typeof INTENTS)[number];

export const CODE_ROLES = ['disconnect', 'extended', 'error_info', 'gateway', 'unknown'] as const;
export type CodeRole = (typeof CODE_ROLES)[number];

export interface UnderstoodCode {
  /** Normalised lower-case hex without leading zeros: `"0x904"`. */
  value: string;
  role: CodeRole;
  /** Name from the knowledge base when known (`exDiscReasonServerDeniedConnection`). */
  name?: string;
}

export const HOST_KINDS = ['fqdn', 'short', 'ipv4', 'ipv6'] as const;
export type HostKind = (typeof HOST_KINDS)[number];

export interface UnderstoodHost {
  name: string;
  kind: HostKind;
  /** Port when the message said `host:port` or an .rdp file set `server port`. */
  port?: number;
  /** Inventory name this host was matched to when it was not an exact hit ("did you mean"). */
  suggestion?: string;
}

export interface Mention {
  kind: 'symptom' | 'cue' | 'tried';
  /** Symptom id, cue id (src/intents/data/cues.yaml) or fix id (data/tried.yaml). */
  id: string;
  /** The phrase of the message that matched, lower case. */
  words: string;
}

export interface Understanding {
  intent: Intent;
  /** 0..1, how sure the classifier is of `intent`. */
  confidence: number;
  codes: UnderstoodCode[];
  hosts: UnderstoodHost[];
  gateway: string | null;
  symptoms: string[];
  /**
   * The words ranking reads beyond codes and hosts, quoted as the user wrote them: symptoms (the
   * ids of `symptoms`), cues about the situation (client, gateway, "after the update") and fixes
   * the user says they already tried. Absent when there are none.
   */
  mentions?: Mention[];
  /**
   * Settings of an `.rdp` file pasted into the message (`full address`, `gatewayhostname`,
   * `gatewayusagemethod`, `server port`, `authentication level`, …), lower-case names as in the
   * file; integers as numbers. Absent when the message holds no .rdp file. Never holds passwords.
   */
  rdpFile?: Record<string, string | number>;
  /**
   * Set when nothing names Remote Desktop itself (no RDP word, known code, gateway or .rdp file):
   * `remote` for a word it shares with other tools ("remote desktop", "remote pc"), `none` for no
   * sign at all — the intent then rests on the classifier alone. Absent when the message names RDP.
   */
  weakRdpSign?: 'remote' | 'none';
  /**
   * The message's distinct words (lower case, message order, at most 120): ranking matches them
   * against each fix's own description, so a wording no rule knows still finds its fix. Absent
   * when the message has none.
   */
  terms?: string[];
}

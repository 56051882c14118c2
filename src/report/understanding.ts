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

/**
 * Why a host-like token of the message is not a host we would probe: it is still answered, under
 * "not probed because …" (src/triage/plan.ts words each reason).
 */
export const UNUSABLE_HOST_REASONS = [
  /** A label (the part between dots) longer than 63 characters. */
  'label-too-long',
  /** A name longer than 253 characters. */
  'name-too-long',
  /** Two dots in a row, or a leading dot (`srv..corp`). */
  'empty-label',
  /** A label that starts or ends with a hyphen (`-srv01`). */
  'hyphen-at-edge',
  /** A character no host name has (`$`, `!`, `~` …). */
  'bad-character',
  /** Letters outside ASCII: look-alikes (Cyrillic `а`), fullwidth letters, an IDN not in punycode. */
  'not-ascii',
  /** Shortened (`10.5`, `127.1`), hex or octal parts, fullwidth digits, IPv4-mapped IPv6. */
  'unusual-address',
  /** Four numbers, but one above 255 (`10.0.0.256`), or an IPv6 shape that is no address. */
  'not-an-address',
  /** An IPv6 address with a zone id (`fe80::1%eth0`). */
  'zone-id',
  /** `host:0`, `host:65536`, `host:3389x`. */
  'bad-port',
  /** `user@host` (a host without a dot after `@`): the host alone is the target. */
  'user-at-host',
  /** Past the 20th host of one message (the most `probes.maxHostsPerMessage` allows). */
  'too-many-hosts',
] as const;
export type UnusableHostReason = (typeof UNUSABLE_HOST_REASONS)[number];

export interface UnusableHost {
  /** The token as it stood in the message (lower case, at most 80 characters). */
  text: string;
  reason: UnusableHostReason;
}

export const NO_PROBLEM_KINDS = ['question', 'wish', 'request', 'solved', 'advice', 'announcement'] as const;
export type NoProblem = (typeof NO_PROBLEM_KINDS)[number];

export interface Mention {
  kind: 'symptom' | 'cue' | 'tried';
  /** Symptom id, cue id (src/intents/data/cues.yaml) or fix id (data/tried.yaml). */
  id: string;
  /** The phrase of the message that matched, lower case. */
  words: string;
}

export interface Understanding {
  intent: Intent;
  /**
   * 0..1, how sure the classifier is of `intent`; for the two RDP intents, how sure it is of an RDP
   * problem at all (failure and quality problem together: "after login it's just a blank screen"
   * leans half to each, and is an RDP problem either way).
   */
  confidence: number;
  codes: UnderstoodCode[];
  hosts: UnderstoodHost[];
  gateway: string | null;
  /** Host-like tokens that are no host we would probe, and why. Absent when there are none. */
  unusableHosts?: UnusableHost[];
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
  /**
   * Set when the message says something is broken or bad — a failure word ("fails", "stuck",
   * "not found") or a failure symptom — and does not say it is solved. A message that only names
   * Remote Desktop ("we disabled rdp on the workstations last week") reports nothing.
   */
  broken?: true;
  /**
   * Set when the message says nothing is broken for the writer now: it asks how to do something
   * or whether a feature exists (`question`), wishes for a feature (`wish`), asks the helpdesk for
   * an errand such as access or a group membership (`request`) — each with no code,
   * failure word or symptom in it — says the problem is solved (`solved`), shares a finding or
   * gives advice to others (`advice`), or announces planned
   * work such as a maintenance window or a reboot (`announcement`, no code in it). Someone asking
   * about Remote Desktop is not someone whose Remote Desktop fails: the watch policy does not
   * answer it unasked.
   */
  noProblem?: NoProblem;
}

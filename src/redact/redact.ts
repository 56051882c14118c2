/**
 * Secrets pasted into chat (or sitting in a config value, or inside an error) never reach a log,
 * the audit store or an error message: every such string goes through `redact` first. Each rule
 * keeps enough context to read the message ("password=[redacted]") and drops the secret itself.
 */

export const REDACTED = '[redacted]';

interface Rule {
  name: string;
  pattern: RegExp;
  /** Replacement; `$<keep>` (when the pattern has it) keeps the key or prefix in front of the secret. */
  replace: string;
}

const KEY_WORDS =
  'password|passwd|passphrase|pwd|pass|secret|client[_-]?secret|app[_-]?password|token|access[_-]?token|refresh[_-]?token|api[_-]?key|apikey|authorization|credential|credentials|private[_-]?key|signing[_-]?secret';

const RULES: Rule[] = [
  {
    // PEM private keys, also when the paste was cut off before the END line.
    name: 'private-key',
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`,
  },
  {
    // PuTTY key files (.ppk): the private lines follow "Private-Lines: N".
    name: 'putty-key',
    pattern: /(?<keep>Private-Lines:\s*\d+)[\s\S]*?(?=Private-MAC:|$)/g,
    replace: `$<keep> ${REDACTED} `,
  },
  {
    // Slack tokens: bot xoxb-, user xoxp-, app-level xapp-, legacy xoxa/xoxo/xoxr/xoxs, refresh xoxe.
    name: 'slack-token',
    pattern: /\b(?:xox[abeoprs](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]{6,}/g,
    replace: REDACTED,
  },
  {
    // JSON Web Tokens: base64url header and payload (both start with `{"` → `eyJ`), signature.
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
    replace: REDACTED,
  },
  {
    name: 'bearer',
    pattern: /\b(?<keep>Bearer|Basic|Negotiate|NTLM)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: `$<keep> ${REDACTED}`,
  },
  {
    // mstsc / xfreerdp / cmdkey / net use arguments: /p:secret, /pass:secret, /password:secret.
    name: 'rdp-password-arg',
    pattern:
      /(?<keep>(?:^|[\s"'])[/-](?:p|pass|password|pth)\s*:\s*)(?!\[redacted\])(?:"[^"\n]*"|'[^'\n]*'|[^\s"']+)/gim,
    replace: `$<keep>${REDACTED}`,
  },
  {
    // .rdp file field `password 51:b:<hex DPAPI blob>`.
    name: 'rdp-file-password',
    pattern: /(?<keep>\bpassword\s+51\s*:\s*b\s*:\s*)(?!\[redacted\])[0-9A-Fa-f]+/gi,
    replace: `$<keep>${REDACTED}`,
  },
  {
    // URL credentials: scheme://user:secret@host.
    name: 'url-credentials',
    pattern: /(?<keep>\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)(?!\[redacted\])[^\s/@]+(?=@)/gi,
    replace: `$<keep>${REDACTED}`,
  },
  {
    // key=value, key: value, "key": "value", key = 'value' — for every secret-like key word.
    name: 'key-value',
    pattern: new RegExp(
      `(?<keep>\\b(?:${KEY_WORDS})["']?\\s*(?:=|:|\\s+is\\s+)\\s*)(?!\\[redacted\\]|(?:Bearer|Basic|Negotiate|NTLM)\\s)(?:"[^"\\n]*"|'[^'\\n]*'|[^\\s,;&"'}\\]]+)`,
      'gi',
    ),
    replace: `$<keep>${REDACTED}`,
  },
  {
    // -Password (ConvertTo-SecureString "…" / -Password "…") in PowerShell.
    name: 'powershell-password',
    pattern: /(?<keep>ConvertTo-SecureString\s+(?:-String\s+)?)(?!\[redacted\])(?:"[^"\n]*"|'[^'\n]*'|\S+)/gi,
    replace: `$<keep>${REDACTED}`,
  },
  { name: 'aws-access-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: REDACTED },
  {
    name: 'github-token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g,
    replace: REDACTED,
  },
];

/** Returns `text` with every recognised secret replaced by `[redacted]`. Pure and idempotent. */
export function redact(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace);
  return out;
}

/** Names of the rules that fired, for tests and for the `config check` warning. */
export function findSecrets(text: string): string[] {
  return RULES.filter((rule) => {
    rule.pattern.lastIndex = 0;
    const found = rule.pattern.test(text);
    rule.pattern.lastIndex = 0;
    return found;
  }).map((rule) => rule.name);
}

import { createHash, createHmac } from 'node:crypto';

/** `SHA256:<base64, no padding>` of a raw SSH public key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Key type from the blob's first SSH string (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + Math.min(length, 64)).toString('latin1');
}

export interface KnownHostKey {
  type: string;
  blob: Buffer;
}

/**
 * Keys listed for `host:port` in a known_hosts file: plain patterns (`host`, `[host]:port`,
 * comma lists) and hashed entries (`|1|salt|hmac`). `@revoked` lines are returned separately;
 * `@cert-authority` lines and wildcards are not supported and are ignored (pin the key itself).
 */
export function parseKnownHosts(
  text: string,
  host: string,
  port: number,
): { keys: KnownHostKey[]; revoked: KnownHostKey[] } {
  const wanted = port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
  const keys: KnownHostKey[] = [];
  const revoked: KnownHostKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]?.startsWith('@')) marker = fields.shift();
    const [patterns, type, base64] = fields;
    if (!patterns || !type || !base64 || marker === '@cert-authority') continue;
    if (!patterns.split(',').some((pattern) => matchesPattern(pattern, wanted))) continue;
    const key = { type, blob: Buffer.from(base64, 'base64') };
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

function matchesPattern(pattern: string, wanted: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt = '', hash = ''] = pattern.split('|');
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(wanted).digest('base64');
    return digest === hash;
  }
  return pattern.toLowerCase() === wanted;
}

export type HostKeyVerdict =
  | { ok: true; fingerprint: string }
  | {
      ok: false;
      code: 'JUMP_HOST_KEY_UNKNOWN' | 'JUMP_HOST_KEY_MISMATCH';
      message: string;
      fingerprint: string;
    };

/**
 * Decides whether the key a jump presents is the pinned one. Pins come from config fingerprints
 * and/or known_hosts entries for exactly this host:port. No pins at all → unknown, never accepted.
 */
export function checkHostKey(
  presented: Buffer,
  {
    jumpName,
    where,
    fingerprints,
    knownHosts,
  }: {
    jumpName: string;
    where: string;
    fingerprints: string[];
    knownHosts: { keys: KnownHostKey[]; revoked: KnownHostKey[] } | null;
  },
): HostKeyVerdict {
  const fingerprint = fingerprintOf(presented);
  const type = keyTypeOf(presented);
  if (knownHosts?.revoked.some((key) => key.blob.equals(presented)))
    return {
      ok: false,
      code: 'JUMP_HOST_KEY_MISMATCH',
      fingerprint,
      message: `jump ${jumpName} (${where}) presented a REVOKED host key ${fingerprint} (${type}); refusing to connect`,
    };
  const pinnedFingerprints = fingerprints.map((f) => f.replace(/=+$/, ''));
  if (pinnedFingerprints.includes(fingerprint)) return { ok: true, fingerprint };
  if (knownHosts?.keys.some((key) => key.blob.equals(presented))) return { ok: true, fingerprint };
  const pinnedCount = pinnedFingerprints.length + (knownHosts?.keys.length ?? 0);
  if (pinnedCount === 0)
    return {
      ok: false,
      code: 'JUMP_HOST_KEY_UNKNOWN',
      fingerprint,
      message:
        `jump ${jumpName} (${where}) presented host key ${fingerprint} (${type}), which is not pinned: ` +
        "no probe was sent. Check the key with the jump's administrator, then add it to " +
        'hostKeyFingerprints or to the known_hosts file in the config',
    };
  return {
    ok: false,
    code: 'JUMP_HOST_KEY_MISMATCH',
    fingerprint,
    message:
      `HOST KEY CHANGED for jump ${jumpName} (${where}): it presented ${fingerprint} (${type}), but the ` +
      `config pins ${[...pinnedFingerprints, ...(knownHosts?.keys ?? []).map((k) => fingerprintOf(k.blob))].join(', ')}. ` +
      'Refusing to connect, no probe was sent (possible man-in-the-middle, or the jump was rebuilt)',
  };
}

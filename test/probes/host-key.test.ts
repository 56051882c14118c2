import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { checkHostKey, fingerprintOf, keyTypeOf, parseKnownHosts } from '../../src/probes/host-key.js';

// Two real ed25519 public keys (ssh-keygen output), as a jump would present them.
const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKcsaZ9KC0Knp8NP4WmTLvz1r';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIHqJ8LBuBHxrRVjN2f7wFvjNWNsvGXQnwbN6k3D+mV0F';
const blob = (base64: string) => Buffer.from(base64, 'base64');

describe('host key pinning', () => {
  test('fingerprint is what ssh-keygen -lf prints', () => {
    expect(fingerprintOf(blob(KEY_A))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOf(blob(KEY_A))).toBe('ssh-ed25519');
  });

  test('known_hosts: plain, [host]:port and hashed entries match only their host and port', () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('jump.corp').digest('base64')}`;
    const text = [
      '# comment',
      `10.0.0.5 ssh-ed25519 ${KEY_A}`,
      `[10.0.0.5]:2222 ssh-ed25519 ${KEY_B}`,
      `${hashed} ssh-ed25519 ${KEY_B}`,
      `@cert-authority *.corp ssh-ed25519 ${KEY_A}`,
    ].join('\n');
    expect(parseKnownHosts(text, '10.0.0.5', 22).keys.map((k) => k.blob.toString('base64'))).toEqual([KEY_A]);
    expect(parseKnownHosts(text, '10.0.0.5', 2222).keys.map((k) => k.blob.toString('base64'))).toEqual([
      KEY_B,
    ]);
    expect(parseKnownHosts(text, 'jump.corp', 22).keys.map((k) => k.blob.toString('base64'))).toEqual([
      KEY_B,
    ]);
    expect(parseKnownHosts(text, 'other', 22).keys).toEqual([]);
  });

  const where = { jumpName: 'jump-eu', where: '10.0.0.5:22' };
  test('the pinned key is accepted, by fingerprint or by known_hosts', () => {
    expect(
      checkHostKey(blob(KEY_A), { ...where, fingerprints: [fingerprintOf(blob(KEY_A))], knownHosts: null })
        .ok,
    ).toBe(true);
    const knownHosts = parseKnownHosts(`10.0.0.5 ssh-ed25519 ${KEY_A}`, '10.0.0.5', 22);
    expect(checkHostKey(blob(KEY_A), { ...where, fingerprints: [], knownHosts }).ok).toBe(true);
  });

  test('a changed key is refused and the message says what to check', () => {
    const verdict = checkHostKey(blob(KEY_B), {
      ...where,
      fingerprints: [fingerprintOf(blob(KEY_A))],
      knownHosts: null,
    });
    expect(verdict).toMatchObject({ ok: false, code: 'JUMP_HOST_KEY_MISMATCH' });
    if (verdict.ok) return;
    expect(verdict.message).toContain('HOST KEY CHANGED for jump jump-eu');
    expect(verdict.message).toContain(fingerprintOf(blob(KEY_B)));
    expect(verdict.message).toContain(fingerprintOf(blob(KEY_A)));
  });

  test('no pin at all: unknown, never trusted on first use', () => {
    const verdict = checkHostKey(blob(KEY_A), {
      ...where,
      fingerprints: [],
      knownHosts: { keys: [], revoked: [] },
    });
    expect(verdict).toMatchObject({ ok: false, code: 'JUMP_HOST_KEY_UNKNOWN' });
  });

  test('a revoked key is refused even when also listed', () => {
    const knownHosts = parseKnownHosts(
      `10.0.0.5 ssh-ed25519 ${KEY_A}\n@revoked 10.0.0.5 ssh-ed25519 ${KEY_A}`,
      '10.0.0.5',
      22,
    );
    expect(checkHostKey(blob(KEY_A), { ...where, fingerprints: [], knownHosts }).ok).toBe(false);
  });
});

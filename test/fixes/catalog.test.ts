import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import { readSnapshot } from '../../src/fixes/kb-snapshot.js';
import { readShippedSources } from '../../src/fixes/load-kb.js';

const kb = loadBuiltinKnowledgeBase();

describe('shipped catalogue', () => {
  test('holds at least 200 codes across the roles, with sources and confidence', () => {
    expect(kb.codes.length).toBeGreaterThanOrEqual(200);
    const kinds = new Set(kb.codes.map((code) => code.kind));
    expect([...kinds].sort()).toEqual([
      'avd',
      'disconnect',
      'error_info',
      'extended',
      'freerdp',
      'gateway',
      'negotiation',
      'ntstatus',
    ]);
    for (const code of kb.codes) {
      expect(code.source).not.toBe('');
      expect(code.causes.length).toBeGreaterThan(0);
      if (code.value !== undefined) expect(code.value).toMatch(/^0x(0|[1-9a-f][0-9a-f]*)$/);
    }
  });

  test('keeps the same value under several roles apart (0x7, 0x104)', () => {
    expect(kb.byValue.get('0x7')?.map((e) => e.kind)).toEqual(['extended', 'error_info']);
    expect(kb.byValue.get('0x104')?.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'disconnect:disconnectReasonDNSLookupFailed',
      'extended:exDiscReasonLicenseHwidDoesntMatchLicense',
      'error_info:ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE',
    ]);
  });

  test('has every table A–D code of the reference that the tests lean on', () => {
    for (const value of [
      '0x204',
      '0x904',
      '0x2207',
      '0x2000002',
      '0x7fff',
      '0x1195',
      '0x3000050',
      '0x800759d8',
      '0x4d4',
    ]) {
      expect(kb.byValue.has(value), value).toBe(true);
    }
  });

  test('holds at least 45 fixes covering F01–F25 and the four 0x904 guide fixes', () => {
    expect(kb.fixes.length).toBeGreaterThanOrEqual(45);
    const refs = new Set(kb.fixes.map((fix) => fix.ref));
    for (let n = 1; n <= 25; n++) expect(refs.has(`F${String(n).padStart(2, '0')}`), `F${n}`).toBe(true);
    const guide = kb.fixesByCode
      .get('0x904')
      ?.map((fix) => fix.id)
      .sort();
    expect(guide).toEqual([
      'clear-saved-credentials',
      'force-tcp-disable-udp',
      'rdgateway-client-logging',
      'rdgateway-ssl-inspection-bypass',
    ]);
    expect(kb.fixById.get('rdgateway-client-logging')?.community).toBe(true);
  });

  test('every fix says who, how risky, and how to verify; snippets are in a known language', () => {
    for (const fix of kb.fixes) {
      expect(Object.keys(fix.causes).length, fix.id).toBeGreaterThan(0);
      expect(fix.verify.text.length, fix.id).toBeGreaterThan(10);
    }
    const langs = new Set(
      kb.fixes.flatMap((fix) => fix.steps.flatMap((step) => (step.snippet ? [step.snippet.lang] : []))),
    );
    expect([...langs].sort()).toEqual(['cmd', 'gpo', 'powershell', 'reg', 'text']);
  });

  test('every cause is reachable: some code or rule points at it and some fix addresses it', () => {
    const fromCodes = new Set(kb.codes.flatMap((code) => code.causes));
    const fromRules = new Set(
      [...kb.rules.symptoms, ...Object.values(kb.rules.cues)].flatMap((rule) => Object.keys(rule.causes)),
    );
    for (const cause of kb.causes.keys()) {
      expect(kb.fixesByCause.has(cause), `no fix for ${cause}`).toBe(true);
      expect(
        fromCodes.has(cause) || fromRules.has(cause) || cause === 'audio_blocking',
        `nothing points at ${cause}`,
      ).toBe(true);
    }
  });
});

describe('evidence rules and the probe vocabulary', () => {
  test('every Finding.code has a rule or is declared neutral, and every rule names a real code', async () => {
    const { FINDING_CODES } = await import('../../src/probes/finding-codes.js');
    const known = new Set<string>(FINDING_CODES);
    const ruled = new Set(Object.keys(kb.rules.evidence).map((key) => key.replace(/^gateway\//, '')));
    for (const code of FINDING_CODES) {
      expect(ruled.has(code) || kb.rules.neutral.includes(code), `${code} has no rule`).toBe(true);
    }
    for (const code of [...ruled, ...kb.rules.neutral])
      expect(known.has(code), `${code} is not a Finding code`).toBe(true);
    for (const combination of kb.rules.combinations) {
      for (const code of combination.findings) expect(known.has(code), code).toBe(true);
    }
  });
});

describe('the parsed snapshot of the shipped YAML', () => {
  test('is current (after editing src/fixes/data run: npm run kb:snapshot)', () => {
    const { sources, data } = readShippedSources();
    const snapshot = readSnapshot(sources);
    expect(snapshot, 'stale snapshot: run npm run kb:snapshot').toBeDefined();
    for (const [file, value] of data) expect(snapshot?.get(file), file).toEqual(value);
  });

  test('is ignored as soon as one YAML byte differs', () => {
    const { sources, data } = readShippedSources();
    const dir = mkdtempSync(join(tmpdir(), 'kb-snap-'));
    try {
      const path = join(dir, 'snapshot.jsonl');
      const lines = [JSON.stringify({ fingerprint: 'not-the-fingerprint' })];
      for (const [file, value] of data) lines.push(JSON.stringify({ file, data: value }));
      writeFileSync(path, lines.join('\n'));
      expect(readSnapshot(sources, path)).toBeUndefined();
      const edited = sources.map((s, i) => (i === 0 ? { ...s, text: `${s.text} ` } : s));
      expect(readSnapshot(edited)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { assembleBot } from '../../src/app/assemble.js';
import { defaultConfig } from '../../src/config/schema.js';
import { isTriageError } from '../../src/errors.js';
import { checkExtensions, loadKnowledgeBase } from '../../src/fixes/load-kb.js';
import { lookupCode } from '../../src/fixes/lookup-code.js';
import { rank } from '../../src/fixes/rank.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function extensionDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-ext-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const GOOD = {
  'causes.yaml': 'vpn_profile: The corporate VPN profile is outdated.\n',
  'codes/acme.yaml': [
    'role: gateway',
    'source: ACME-WIKI',
    'confidence: ORG',
    'codes:',
    '  - value: "0x3000066"',
    '    meaning: Our gateway farm rejects clients without the new VPN profile.',
    '    causes: [vpn_profile, gateway_policy]',
  ].join('\n'),
  'fixes/acme.yaml': [
    '- id: acme-refresh-vpn-profile',
    '  title: Refresh the ACME VPN profile',
    '  audience: user',
    '  risk: low',
    '  causes: { vpn_profile: 1 }',
    '  steps:',
    '    - text: Open the VPN client and pick "Update profile".',
    '  verify:',
    '    text: The VPN client shows profile 2025.2.',
  ].join('\n'),
  'overrides.yaml': [
    'codes:',
    '  - { value: "0x904", role: disconnect, meaning: "At ACME this is nearly always the SSL inspection proxy." }',
    'fixes:',
    '  - { id: rdgclienttransport, disabled: true }',
  ].join('\n'),
};

describe('organisation extensions', () => {
  test('a valid directory adds codes, causes and fixes and applies overrides', () => {
    const dir = extensionDir(GOOD);
    expect(checkExtensions(dir)).toEqual([]);
    const kb = loadKnowledgeBase({ extensionsDir: dir });
    const lookup = lookupCode(kb, '0x3000066');
    expect(lookup.entries[0]?.meaning).toContain('new VPN profile');
    expect(lookup.fixes[0]?.id).toBe('acme-refresh-vpn-profile');
    expect(lookupCode(kb, '0x904').entries[0]?.meaning).toContain('ACME');
    expect(kb.fixById.has('rdgclienttransport')).toBe(false);
    // The shipped knowledge base is untouched.
    expect(lookupCode(loadKnowledgeBase(), '0x3000066').entries).toEqual([]);
  });

  test.for([
    {
      desc: 'unknown cause',
      files: { 'codes/acme.yaml': GOOD['codes/acme.yaml'].replace('vpn_profile, ', 'no_such_cause, ') },
      expected: {
        file: 'codes/acme.yaml',
        line: 7,
        key: 'codes.0.causes.0',
        message: 'unknown cause "no_such_cause"',
      },
    },
    {
      desc: 'missing required key',
      files: { ...GOOD, 'fixes/acme.yaml': GOOD['fixes/acme.yaml'].replace('  risk: low\n', '') },
      expected: { file: 'fixes/acme.yaml', line: 1, key: '0.risk' },
    },
    {
      desc: 'misspelt key',
      files: {
        ...GOOD,
        'fixes/acme.yaml': GOOD['fixes/acme.yaml'].replace('  audience: user', '  audiense: user'),
      },
      expected: { file: 'fixes/acme.yaml', line: 1 },
    },
    {
      desc: 'bad enum value',
      files: { ...GOOD, 'fixes/acme.yaml': GOOD['fixes/acme.yaml'].replace('risk: low', 'risk: scary') },
      expected: { file: 'fixes/acme.yaml', line: 4, key: '0.risk' },
    },
    {
      desc: 'not a code',
      files: { ...GOOD, 'codes/acme.yaml': GOOD['codes/acme.yaml'].replace('"0x3000066"', '"0xZZ"') },
      expected: { file: 'codes/acme.yaml', line: 5, key: 'codes.0.value' },
    },
    {
      desc: 'YAML error (duplicate key)',
      files: { 'fixes/acme.yaml': '- id: x\n  id: y\n' },
      expected: { file: 'fixes/acme.yaml', line: 2 },
    },
    {
      desc: 'a shipped fix id redefined',
      files: {
        'fixes/acme.yaml': GOOD['fixes/acme.yaml']
          .replace('acme-refresh-vpn-profile', 'test-rdp-port')
          .replace('vpn_profile', 'port_blocked'),
      },
      expected: { file: 'fixes/acme.yaml', line: 1, key: '0.id' },
    },
    {
      desc: 'override of a code that does not exist',
      files: { 'overrides.yaml': 'codes:\n  - { value: "0x9999", role: disconnect, meaning: x }\n' },
      expected: { file: 'overrides.yaml', line: 2, key: 'codes.0.value' },
    },
    {
      desc: 'a file the loader does not know',
      files: { 'notes.yaml': 'a: 1\n' },
      expected: { file: 'notes.yaml', line: 1 },
    },
  ])('$desc: the error names file, line and key', ({ files, expected }) => {
    const dir = extensionDir(files);
    const issues = checkExtensions(dir);
    expect(issues.length).toBeGreaterThan(0);
    const issue = issues[0];
    expect(issue?.file).toBe(join(dir, expected.file));
    expect(issue?.line).toBe(expected.line);
    if ('key' in expected) expect(issue?.key).toBe(expected.key);
    if ('message' in expected) expect(issue?.message).toBe(expected.message);
  });

  test('a missing directory is an issue, not a crash', () => {
    expect(checkExtensions(join(tmpdir(), 'no-such-kb-dir-for-sure'))[0]?.message).toBe(
      'directory not found',
    );
  });

  test('the bot refuses to start on a bad extension directory instead of half-loading it', () => {
    const dir = extensionDir({
      ...GOOD,
      'fixes/acme.yaml': GOOD['fixes/acme.yaml'].replace('risk: low', 'risk: scary'),
    });
    const config = { ...defaultConfig(), kb: { extensionsDir: dir } };
    let error: unknown;
    try {
      assembleBot({ config });
    } catch (caught) {
      error = caught;
    }
    expect(isTriageError(error) && error.code).toBe('KB_INVALID');
    expect((error as Error).message).toContain(`${join(dir, 'fixes/acme.yaml')}:4: 0.risk:`);
  });

  test('ranking with the extended knowledge base uses the organisation fix', () => {
    const kb = loadKnowledgeBase({ extensionsDir: extensionDir(GOOD) });
    const fixes = rank(
      {
        intent: 'rdp_failure',
        confidence: 1,
        codes: [{ value: '0x3000066', role: 'gateway' }],
        hosts: [],
        gateway: null,
        symptoms: [],
      },
      [],
      {},
      kb,
    );
    expect(fixes[0]?.id).toBe('acme-refresh-vpn-profile');
  });
});

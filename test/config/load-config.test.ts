import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { isTriageError } from '../../src/errors.js';

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfig(text, 'bot.yaml', { env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

// Each row: a broken file, the key path the error must name, the line it must point at and a
// fragment of what is wrong.
const BROKEN: { desc: string; yaml: string; path: string; line: number; says: RegExp }[] = [
  {
    desc: 'wrong type deep in a list',
    yaml: 'inventory:\n  - name: srv-fin-02\n    port: "3389x"\n',
    path: 'inventory[0].port',
    line: 3,
    says: /number/i,
  },
  {
    desc: 'port out of range',
    yaml: 'probes:\n  rdpPorts: [3389, 70000]\n',
    path: 'probes.rdpPorts[1]',
    line: 2,
    says: /65535/,
  },
  {
    desc: 'missing required key',
    yaml: 'access:\n  roles:\n    - name: helpdesk\n      users: [U1]\n',
    path: 'access.roles[0].hostGroups',
    line: 3,
    says: /expected array/i,
  },
  {
    desc: 'role naming a host group nobody is in',
    yaml: 'inventory:\n  - name: srv-fin-02\n    group: finance\naccess:\n  roles:\n    - name: hd\n      users: [U1]\n      hostGroups: [finance, payroll]\n',
    path: 'access.roles[0].hostGroups[1]',
    line: 8,
    says: /group "payroll"/,
  },
  {
    desc: 'role that matches nobody',
    yaml: 'access:\n  roles:\n    - name: hd\n      hostGroups: ["*"]\n',
    path: 'access.roles[0]',
    line: 3,
    says: /users, channels or groups/,
  },
  {
    desc: 'invalid CIDR',
    yaml: 'allow:\n  cidrs:\n    - 10.0.0.0/8\n    - 300.1.2.3/8\n',
    path: 'allow.cidrs[1]',
    line: 4,
    says: /CIDR/,
  },
  {
    desc: 'CIDR prefix too long',
    yaml: 'deny:\n  cidrs: [10.0.0.0/33]\n',
    path: 'deny.cidrs[0]',
    line: 2,
    says: /CIDR/,
  },
  {
    desc: 'retention of zero days',
    yaml: 'store:\n  path: audit.db\n  retentionDays: 0\n',
    path: 'store.retentionDays',
    line: 3,
    says: />=1/,
  },
  {
    desc: 'rate limit of a string',
    yaml: 'rateLimits:\n  perUser:\n    probesPerMinute: lots\n',
    path: 'rateLimits.perUser.probesPerMinute',
    line: 3,
    says: /number/i,
  },
  {
    desc: 'YAML syntax error',
    yaml: 'allow:\n  cidrs: [10.0.0.0/8\nprobes: {}\n',
    path: '(yaml)',
    line: 3,
    says: /YAML syntax error/,
  },
  { desc: 'duplicate key', yaml: 'store: {}\nstore: {}\n', path: '(yaml)', line: 2, says: /unique/i },
  {
    desc: 'a misspelt top-level key',
    yaml: 'store: {}\nacess:\n  roles: []\n',
    path: '(root)',
    line: 1,
    says: /acess/,
  },
  {
    desc: 'a misspelt store key',
    yaml: 'store:\n  retention: 5\n',
    path: 'store',
    line: 2,
    says: /retention/,
  },
  {
    desc: 'an invalid suffix',
    yaml: 'allow:\n  suffixes: ["corp example"]\n',
    path: 'allow.suffixes[0]',
    line: 2,
    says: /domain suffix/,
  },
  {
    desc: 'an alias that is not a host name',
    yaml: 'inventory:\n  - name: a\n    aliases: ["$(id)"]\n',
    path: 'inventory[0].aliases[0]',
    line: 3,
    says: /host name/,
  },
  { desc: 'a list instead of a mapping', yaml: '- a\n- b\n', path: '(root)', line: 1, says: /mapping/ },
  {
    desc: 'a monitor with neither host nor gateway',
    yaml: 'monitors:\n  - name: fin\n    intervalSeconds: 60\n',
    path: 'monitors[0]',
    line: 2,
    says: /host, a gateway, or both/,
  },
];

describe('parseConfig errors', () => {
  test.for(BROKEN)('$desc names file, key path and line', ({ yaml, path, line, says }) => {
    const error = issuesOf(yaml);
    expect(isTriageError(error)).toBe(true);
    expect(error.code).toBe('CONFIG_INVALID');
    const issue = error.issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
    expect(issue?.line).toBe(line);
    expect(issue?.message).toMatch(says);
    expect(error.message).toContain(`bot.yaml:${line}: ${path}`);
  });

  test('a secret in a broken line is not repeated in the error', () => {
    const error = issuesOf('slack: {botToken: xoxb-1111111111-2222222222-abcdefabcdef\n');
    expect(error.message).not.toContain('xoxb-1111111111');
  });
});

describe('parseConfig', () => {
  test('an empty file is the embedded default', () => {
    const config = parseConfig('', 'empty.yaml');
    expect(config.allow.cidrs).toEqual(['127.0.0.0/8', '::1/128']);
    expect(config.access.roles).toEqual([]);
    expect(config.rateLimits.perUser).toEqual({ probesPerMinute: 20, concurrentTriages: 2 });
    expect(config.store.retentionDays).toBe(90);
  });

  test('loopback is allowed only by the embedded default, not when a config sets suffixes alone', () => {
    const config = parseConfig('allow:\n  suffixes: [corp.example]\n', 'suffixes.yaml');
    expect(config.allow.cidrs).toEqual([]);
    expect(config.allow.resolveToCheck).toBe(false);
  });

  test('environment variables override the file', () => {
    const config = parseConfig('store:\n  path: from-file.db\n', 'bot.yaml', {
      env: { RDP_TRIAGE__store__path: '/var/lib/rdp-triage/audit.db', UNRELATED: 'x' },
    });
    expect(config.store.path).toBe('/var/lib/rdp-triage/audit.db');
  });

  test('an invalid override names the environment variable, not a line', () => {
    const error = issuesOf('store:\n  retentionDays: 30\n', { RDP_TRIAGE__store__retentionDays: 'thirty' });
    const issue = error.issues.find((i) => i.path === 'store.retentionDays');
    expect(issue?.env).toBe('RDP_TRIAGE__store__retentionDays');
    expect(issue?.line).toBeUndefined();
    expect(error.message).toContain('from environment variable RDP_TRIAGE__store__retentionDays');
  });

  test('an override of a number stays a number', () => {
    const config = parseConfig('store:\n  retentionDays: 30\n', 'bot.yaml', {
      env: { RDP_TRIAGE__store__retentionDays: '7' },
    });
    expect(config.store.retentionDays).toBe(7);
  });

  test('an override cannot reach the prototype', () => {
    parseConfig('', 'bot.yaml', { env: { RDP_TRIAGE____proto____polluted: 'yes' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a full access section parses', () => {
    const config = parseConfig(
      [
        'inventory:',
        '  - { name: srv-fin-02, aliases: [fin2], group: finance }',
        'access:',
        '  roles:',
        '    - name: helpdesk',
        '      channels: [slack:C0HELP]',
        '      groups: [S0TRIAGE]',
        '      hostGroups: ["*"]',
        'rateLimits:',
        '  perChannel: { probesPerMinute: 5 }',
      ].join('\n'),
      'bot.yaml',
    );
    expect(config.access.roles[0]).toMatchObject({ name: 'helpdesk', users: [], hostGroups: ['*'] });
    expect(config.rateLimits.perChannel).toEqual({ probesPerMinute: 5, concurrentTriages: 5 });
  });
});

describe('loadConfig', () => {
  test('a missing file is CONFIG_NOT_FOUND naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdp-config-'));
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: expect.stringContaining('nope.yaml'),
    });
  });

  test('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rdp-config-'));
    const file = join(dir, 'bot.yaml');
    await writeFile(file, 'probes:\n  timeoutMs: 5\n');
    await expect(loadConfig(file, { env: {} })).rejects.toThrow(`${file}:2: probes.timeoutMs`);
  });
});

import { describe, expect, test } from 'vitest';
import { createRoles, matchesPrincipal } from '../../src/access/roles.js';
import { parseConfig } from '../../src/config/load-config.js';

const CONFIG = parseConfig(
  [
    'inventory:',
    '  - { name: srv-fin-02, group: finance }',
    '  - { name: lab-box, group: lab }',
    'access:',
    '  roles:',
    '    - { name: finance-admins, users: ["slack:UFIN"], hostGroups: [finance] }',
    '    - { name: helpdesk, channels: [C0HELP], groups: ["slack:S0TRIAGE", "teams:6f1c-aad-group"], hostGroups: ["*"] }',
    '    - { name: lab, users: ["*"], hostGroups: [lab] }',
    '    - { name: teams-person, users: ["29:1AbC-xyz"], hostGroups: [ungrouped] }',
  ].join('\n'),
  'roles.yaml',
);
const roles = createRoles(CONFIG.access);

describe('rolesOf', () => {
  test.for([
    // [platform, user, channel, groups, roles held]
    ['slack', 'UFIN', 'C1', [], ['finance-admins', 'lab']],
    ['teams', 'UFIN', 'C1', [], ['lab']], // the slack: prefix pins the platform
    ['slack', 'U2', 'C0HELP', [], ['helpdesk', 'lab']], // by channel, on any platform
    ['teams', 'U2', 'C0HELP', [], ['helpdesk', 'lab']],
    ['slack', 'U3', 'C1', ['S0TRIAGE'], ['helpdesk', 'lab']], // Slack user group
    ['teams', 'U3', 'C1', ['S0TRIAGE'], ['lab']], // …only on Slack
    ['teams', 'U4', 'C1', ['6f1c-aad-group'], ['helpdesk', 'lab']], // AAD group
    ['teams', '29:1AbC-xyz', 'C1', [], ['lab', 'teams-person']], // Teams ids contain a colon
    ['slack', 'U5', 'C1', [], ['lab']],
  ] as const)('%s user %s in %s with groups %j → %j', ([platform, user, channel, groups, expected]) => {
    expect(roles.rolesOf({ platform, user, channel }, groups).map((r) => r.name)).toEqual(expected);
  });
});

describe('mayProbe', () => {
  const held = (...names: string[]) => CONFIG.access.roles.filter((r) => names.includes(r.name));
  test.for([
    [['finance-admins'], 'finance', true],
    [['finance-admins'], 'lab', false],
    [['finance-admins'], 'ungrouped', false],
    [['helpdesk'], 'finance', true],
    [['helpdesk'], 'ungrouped', true],
    [['lab'], 'lab', true],
    [['lab'], 'finance', false],
    [['teams-person'], 'ungrouped', true],
    [[], 'lab', false],
  ] as const)('%j on %s → %s', ([names, group, allowed]) => {
    expect(roles.mayProbe(held(...names), group)).toBe(allowed);
  });

  test('without roles everyone may probe everything (the embedded default)', () => {
    const open = createRoles(parseConfig('', 'empty.yaml').access);
    expect(open.restricted).toBe(false);
    expect(open.mayProbe([], 'finance')).toBe(true);
  });
});

test.for([
  ['*', 'slack', 'U1', true],
  ['U1', 'teams', 'U1', true],
  ['slack:U1', 'slack', 'U1', true],
  ['slack:U1', 'teams', 'U1', false],
  ['29:abc', 'teams', '29:abc', true],
  ['teams:29:abc', 'teams', '29:abc', true],
  ['teams:29:abc', 'teams', '29:abd', false],
  ['u1', 'slack', 'U1', false],
] as const)('matchesPrincipal(%s, %s, %s) → %s', ([entry, platform, id, expected]) => {
  expect(matchesPrincipal(entry, platform, id)).toBe(expected);
});

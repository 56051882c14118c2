import { describe, expect, test } from 'vitest';
import { hostNameProblem, isIPv4, isMappedIPv4 } from '../../src/intents/host-name-rules.js';

describe('hostNameProblem', () => {
  test.for([
    ['srv01.corp.example', null],
    ['srv01.corp.example.', null],
    ['srv_01', null],
    ['10.0.0.5', null],
    ['::1', null],
    ['2001:db8::10', null],
    [`${'a'.repeat(64)}.corp.example`, 'label-too-long'],
    [`${'abcdefghi.'.repeat(26)}example`, 'name-too-long'],
    ['srv..corp', 'empty-label'],
    ['-srv01', 'hyphen-at-edge'],
    ['srv-.corp', 'hyphen-at-edge'],
    ['$(id).corp.example', 'bad-character'],
    ['ѕrv01.corp.example', 'not-ascii'],
    ['１０.０.０.５', 'unusual-address'],
    ['127.1', 'unusual-address'],
    ['0x7f.1', 'unusual-address'],
    ['0177.0.0.1', 'unusual-address'],
    ['2130706433', 'unusual-address'],
    ['10.0.0.5.', null],
    ['srv.10', 'unusual-address'],
    ['10.0.0.256', 'not-an-address'],
    ['::ffff:10.0.0.5', 'unusual-address'],
    ['::ffff:7f00:1', 'unusual-address'],
    ['fe80::1%eth0', 'zone-id'],
    ['1:2:3', 'not-an-address'],
  ] as const)('%s → %s', ([name, expected]) => {
    expect(hostNameProblem(name)).toBe(expected);
  });

  test('IPv4 is four decimal numbers 0–255 without leading zeros; mapped IPv4 in both spellings', () => {
    expect(['10.0.0.5', '0.0.0.0', '255.255.255.255'].every(isIPv4)).toBe(true);
    expect(['010.0.0.5', '10.0.0', '256.1.1.1', '1.2.3.4.5'].some(isIPv4)).toBe(false);
    expect(['::ffff:10.0.0.5', '::FFFF:a00:5', '0:0:0:0:0:ffff:10.0.0.5'].every(isMappedIPv4)).toBe(true);
    expect(isMappedIPv4('::1')).toBe(false);
  });
});

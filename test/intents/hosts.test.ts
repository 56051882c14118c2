import { describe, expect, test } from 'vitest';
import { createHostIndex, parseHosts } from '../../src/intents/hosts.js';
import { normalizeMessage } from '../../src/intents/normalize-message.js';
import { parseRdpFile } from '../../src/intents/rdp-file.js';

const noInventory = createHostIndex([]);
const inventory = createHostIndex([
  { name: 'srv-fin-02', aliases: ['fin2'] },
  { name: 'build-agent-7', aliases: [] },
  { name: 'jumpbox', aliases: [] },
]);
const read = (text: string, index = noInventory) => {
  const message = normalizeMessage(text);
  return parseHosts(message, index, parseRdpFile(message));
};

describe('hosts', () => {
  test.for([
    ['rdp to srv-fin-02.corp.example fails', ['srv-fin-02.corp.example']],
    ['srv-fin-02 and build-agent-7 both refuse rdp', ['srv-fin-02', 'build-agent-7']],
    ['rdp to 10.20.30.40 times out', ['10.20.30.40']],
    ['rdp over ipv6 to [fd00::25]:3389 fails', ['fd00::25']],
    ["can't rdp to 2001:db8::10 from the v6 vlan", ['2001:db8::10']],
    ['server dc01 is not reachable', ['dc01']],
    ['rdp into ws042 does nothing', ['ws042']],
    ['trying to rdp to jdoe-laptop', ['jdoe-laptop']],
    ['I can open \\\\fileserver01\\share but not rdp', ['fileserver01']],
    ['the rd web page https://rdweb.corp.example/RDWeb works', ['rdweb.corp.example']],
    ["can't rdp to <http://srv.corp|srv.corp>", ['srv.corp']],
    ['<@U024BE7LH> <mailto:jdoe@corp.example|jdoe@corp.example> cannot reach dc01', ['dc01']],
    ['mstsc /v:srv-lab-5 /admin', ['srv-lab-5']],
    ['Remote computer: HOMESRV', ['homesrv']],
    ['user CORP\\jdoe, upn jdoe@corp.example, on win11 x64', []],
    ['mstsc.exe crashes, see rdpwrap.ini and default.rdp', []],
    ['see https://learn.microsoft.com/en-us/troubleshoot and github.com issues', []],
    ['build 10.0.22000.978 on windows-server-2019, cve-2018-0886', []],
    ['timestamp 09:18:47, mac 00:1a:2b:3c:4d:5e', []],
  ] as const)('%s', ([text, expected]) => {
    expect(read(text).hosts.map((h) => h.name)).toEqual(expected);
  });

  test('host:port and kinds', () => {
    expect(read('rdp to srv-fin-02.corp.example:3390 and 10.0.12.7:3391').hosts).toEqual([
      { name: 'srv-fin-02.corp.example', kind: 'fqdn', port: 3390 },
      { name: '10.0.12.7', kind: 'ipv4', port: 3391 },
    ]);
  });

  test('a near miss of an inventory name gets a suggestion, an exact alias none', () => {
    expect(read("can't rdp to srv-fn-02", inventory).hosts).toEqual([
      { name: 'srv-fn-02', kind: 'short', suggestion: 'srv-fin-02' },
    ]);
    expect(read('buld-agent-7 times out', inventory).hosts[0]?.suggestion).toBe('build-agent-7');
    expect(read('fin2 is down, rdp fails', inventory).hosts).toEqual([{ name: 'fin2', kind: 'short' }]);
    expect(read('rdp to jumpbox fails', inventory).hosts).toEqual([{ name: 'jumpbox', kind: 'short' }]);
  });
});

describe('gateway', () => {
  test.for([
    ['srv-fin-02 via rdg.corp.example fails', 'rdg.corp.example', ['srv-fin-02']],
    ['gateway: rdg.corp.example - cannot connect', 'rdg.corp.example', []],
    ['identity of the RD Gateway "rdg.contoso.com" cannot be verified', 'rdg.contoso.com', []],
    ['xfreerdp /g:rdgw.corp.example /v:10.2.3.4', 'rdgw.corp.example', ['10.2.3.4']],
    ['is rdg.corp.example down? nobody can rdp', 'rdg.corp.example', []],
    [
      'rdp to srv-fin-02 through <https://rdg.corp.example|rdg.corp.example>',
      'rdg.corp.example',
      ['srv-fin-02'],
    ],
    ['rdp to srv-fin-02 over the vpn', null, ['srv-fin-02']],
  ] as const)('%s', ([text, gateway, hosts]) => {
    const parsed = read(text);
    expect(parsed.gateway).toBe(gateway);
    expect(parsed.hosts.map((h) => h.name)).toEqual(hosts);
  });

  test('.rdp file settings name the host, port and gateway; an unused gateway is neither', () => {
    const used = read(
      'full address:s:srv-fin-02.corp.example:3390\ngatewayhostname:s:rdg.corp.example\ngatewayusagemethod:i:1\nauthentication level:i:2',
    );
    expect(used).toEqual({
      hosts: [{ name: 'srv-fin-02.corp.example', kind: 'fqdn', port: 3390 }],
      gateway: 'rdg.corp.example',
      unusable: [],
    });
    const unused = read(
      'full address:s:10.40.2.8\nserver port:i:3390\ngatewayhostname:s:rdg.corp.example\ngatewayusagemethod:i:0',
    );
    expect(unused).toEqual({
      hosts: [{ name: '10.40.2.8', kind: 'ipv4', port: 3390 }],
      gateway: null,
      unusable: [],
    });
  });
});

describe('host-like tokens that are no host', () => {
  test('past the 20th host of a message, the rest are reported, not dropped', () => {
    const names = Array.from({ length: 22 }, (_, i) => `srv${i + 1}.corp.example`);
    const parsed = read(`rdp fails on ${names.join(', ')}`);
    expect(parsed.hosts.map((h) => h.name)).toEqual(names.slice(0, 20));
    expect(parsed.unusable).toEqual([
      { text: 'srv21.corp.example', reason: 'too-many-hosts' },
      { text: 'srv22.corp.example', reason: 'too-many-hosts' },
    ]);
  });

  test.for([
    ['rdp fails on fe80::1%eth0', [], [{ text: 'fe80::1%eth0', reason: 'zone-id' }]],
    ['rdp on 127.0.0.1.evil.example', ['127.0.0.1.evil.example'], []],
    ['rdp to [::1]:22', ['::1'], []],
    ['on ubuntu 24.04 rdp to srv01.corp.example is slow', ['srv01.corp.example'], []],
  ] as const)('%s', ([text, hosts, unusable]) => {
    const parsed = read(text);
    expect(parsed.hosts.map((h) => h.name)).toEqual(hosts);
    expect(parsed.unusable).toEqual(unusable);
  });
});

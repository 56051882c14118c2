import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleBot, type Bot } from '../../src/app/assemble.js';
import { escapeMrkdwn, renderSlack } from '../../src/bot/render/slack.js';
import { renderText } from '../../src/bot/render/text.js';
import { configSchema } from '../../src/config/schema.js';
import { hostPort } from '../../src/probes/probe-target.js';
import type { Reply } from '../../src/report/reply.js';
import type { PlannedTarget } from '../../src/triage/plan.js';
import { lastReplySurface } from '../helpers/last-reply.js';

// Issue 22, acceptance: every host-like token a user writes ends in the reply, probed or under
// "not probed because …" with the rule it broke. Each message goes the whole way the console,
// Slack and Teams surfaces take (assembleBot → conversation → access gate → plan → runTriage →
// Reply → renderers). Probing itself is the one seam replaced: `routeTarget` (the zone-worker
// hook) takes every planned target, records it and answers with a finding, so nothing is resolved
// and no packet leaves this process — a test of what *would* be probed, with no network at all.

const LONG_LABEL = `${'a'.repeat(64)}.corp.example`;
const LONG_NAME = `${'abcdefghi.'.repeat(26)}corp.example`; // 272 characters, every label ≤ 63
const clipped = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

const NOT_VALID = {
  label: 'not a valid host name: a label (the part between dots) is longer than 63 characters',
  long: 'not a valid host name: it is longer than 253 characters',
  empty: 'not a valid host name: an empty label (two dots in a row, or a leading dot)',
  hyphen: 'not a valid host name: a label starts or ends with a hyphen',
  ascii:
    'not a valid host name: letters outside ASCII (a look-alike or fullwidth character); write an international name in punycode (xn--…)',
};
const UNUSUAL =
  'looks like an address in an unusual notation (shortened, hex, octal, fullwidth or IPv4-mapped): we do not probe those; write all four numbers, e.g. 10.0.0.5';
const NOT_ADDRESS = 'not a valid IP address: four numbers from 0 to 255, or IPv6 groups around one ::';
const ZONE = 'an IPv6 address with a zone id (%…): we do not probe link-local addresses';
const BAD_PORT = 'not a valid port: a port is a number from 1 to 65535';
const USER_AT = 'a user@host form: write the host alone to have it probed';
const notAllowedName = (name: string) =>
  `not allowed to probe: ${name} is not an inventory host nor under an allowed suffix (config allow.suffixes); names are not looked up to check their address unless allow.resolveToCheck is on`;
const outsideRanges = (address: string) =>
  `not allowed to probe: ${address} is outside the allowed ranges (config allow.cidrs)`;
const port = (n: number) => `port ${n} is not a configured RDP port`;

interface Row {
  /** The message; `on X` rows are sent as "rdp 0x904 on X". */
  say: string;
  probed?: string[];
  refused?: [target: string, reason: string][];
}
const on = (host: string, row: Omit<Row, 'say'>): Row => ({ say: `rdp 0x904 on ${host}`, ...row });

const ROWS: Row[] = [
  // Names under the allowed suffix, and their ports.
  on('srv01.corp.example', { probed: ['srv01.corp.example:3389'] }),
  on('SRV01.CORP.EXAMPLE', { probed: ['srv01.corp.example:3389'] }),
  on('srv01.corp.example.', { probed: ['srv01.corp.example:3389'] }),
  on('srv01.corp.example:3390', { probed: ['srv01.corp.example:3390'] }),
  on('srv_01.corp.example', { probed: ['srv_01.corp.example:3389'] }),
  on('1e100.corp.example', { probed: ['1e100.corp.example:3389'] }),
  on('xn--srv-lqa.corp.example', { probed: ['xn--srv-lqa.corp.example:3389'] }),
  on('127.0.0.1.corp.example', { probed: ['127.0.0.1.corp.example:3389'] }),
  on('ok.corp.example;id', { probed: ['ok.corp.example:3389'] }),
  on('srv01.corp.example%00', { probed: ['srv01.corp.example:3389'] }),
  on('srv01.corp.example:22', { refused: [['srv01.corp.example:22', port(22)]] }),
  on('srv01.corp.example:0', { refused: [['srv01.corp.example:0', BAD_PORT]] }),
  on('srv01.corp.example:65536', { refused: [['srv01.corp.example:65536', BAD_PORT]] }),
  on('srv01.corp.example:3389x', { refused: [['srv01.corp.example:3389x', BAD_PORT]] }),
  on('srv01.corp.example:99999', { refused: [['srv01.corp.example:99999', BAD_PORT]] }),
  on('secret.corp.example', {
    refused: [
      [
        'secret.corp.example',
        'not allowed to probe: secret.corp.example matches a denied suffix (config deny.suffixes)',
      ],
    ],
  }),
  // Inventory.
  on('lab-box', { probed: ['lab-box:3389'] }),
  { say: 'labby refuses rdp with 0x904', probed: ['lab-box:3389'] },
  // IPv4 literals: allow.cidrs decides.
  on('127.0.0.1', { probed: ['127.0.0.1:3389'] }),
  on('127.0.0.1:3390', { probed: ['127.0.0.1:3390'] }),
  on('10.0.0.1', { refused: [['10.0.0.1', outsideRanges('10.0.0.1')]] }),
  on('169.254.169.254', { refused: [['169.254.169.254', outsideRanges('169.254.169.254')]] }),
  on('127.0.0.1:0', { refused: [['127.0.0.1:0', BAD_PORT]] }),
  on('10.0.0.5:99999', { refused: [['10.0.0.5:99999', BAD_PORT]] }),
  // IPv6 literals, bare and bracketed, with and without a port: allow.cidrs decides too.
  on('::1', { probed: ['[::1]:3389'] }),
  on('[::1]', { probed: ['[::1]:3389'] }),
  on('[::1]:3390', { probed: ['[::1]:3390'] }),
  on('[::1]:22', { refused: [['[::1]:22', port(22)]] }),
  on('[::1]:65536', { refused: [['[::1]:65536', BAD_PORT]] }),
  on('2001:db8::10', { refused: [['2001:db8::10', outsideRanges('2001:db8::10')]] }),
  on('[2001:db8::1]:3389', { refused: [['2001:db8::1', outsideRanges('2001:db8::1')]] }),
  on('fe80::1', { refused: [['fe80::1', outsideRanges('fe80::1')]] }),
  on('[::]', { refused: [['[::]', NOT_ADDRESS]] }),
  on('fe80::1%eth0', { refused: [['fe80::1%eth0', ZONE]] }),
  on('[fe80::1%25eth0]:3389', { refused: [['[fe80::1%25eth0]:3389', ZONE]] }),
  on('[fe80::1%eth0]', { refused: [['[fe80::1%eth0]', ZONE]] }),
  // Addresses in notations inet_aton() reads but we do not probe.
  on('[::ffff:10.0.0.5]', { refused: [['[::ffff:10.0.0.5]', UNUSUAL]] }),
  on('::ffff:127.0.0.1', { refused: [['::ffff:127.0.0.1', UNUSUAL]] }),
  on('::ffff:7f00:1', { refused: [['::ffff:7f00:1', UNUSUAL]] }),
  on('127.1', { refused: [['127.1', UNUSUAL]] }),
  { say: 'cannot rdp to 10.5 since monday', refused: [['10.5', UNUSUAL]] },
  { say: 'rdp fails, ping 10.5 works', refused: [['10.5', UNUSUAL]] },
  { say: 'mstsc /v:127.1 gives 0x204', refused: [['127.1', UNUSUAL]] },
  { say: 'rdp connecting to 127.1:3389 hangs', refused: [['127.1:3389', UNUSUAL]] },
  { say: 'mstsc /v:1.2.3.4.5 gives 0x204', refused: [['1.2.3.4.5', UNUSUAL]] },
  on('0x7f.1', { refused: [['0x7f.1', UNUSUAL]] }),
  on('0177.0.0.1', { refused: [['0177.0.0.1', UNUSUAL]] }),
  on('010.0.0.1', { refused: [['010.0.0.1', UNUSUAL]] }),
  on('127.000.000.001', { refused: [['127.000.000.001', UNUSUAL]] }),
  on('１０.０.０.５', { refused: [['１０.０.０.５', UNUSUAL]] }),
  on('127．0．0．1', { refused: [['127．0．0．1', UNUSUAL]] }),
  on('10.0.0.256', { refused: [['10.0.0.256', NOT_ADDRESS]] }),
  on('http://10.5/', { refused: [['10.5', UNUSUAL]] }),
  // A bare number is an error code (RD Gateway codes are often decimal), never a host.
  { say: 'rdp to the server fails with 2130706433', refused: [] },
  { say: 'rdp error 0x7f000001', refused: [] },
  // Names that break a rule.
  on(LONG_LABEL, { refused: [[LONG_LABEL, NOT_VALID.label]] }),
  on(LONG_NAME, { refused: [[clipped(LONG_NAME), NOT_VALID.long]] }),
  on('-srv01', { refused: [['-srv01', NOT_VALID.hyphen]] }),
  on('-srv01.corp.example', { refused: [['-srv01.corp.example', NOT_VALID.hyphen]] }),
  on('srv-.corp.example', { refused: [['srv-.corp.example', NOT_VALID.hyphen]] }),
  on('srv..corp', { refused: [['srv..corp', NOT_VALID.empty]] }),
  on('srv..corp.example', { refused: [['srv..corp.example', NOT_VALID.empty]] }),
  // Look-alikes: Cyrillic letters, fullwidth forms, a Unicode hyphen, an IDN not in punycode.
  on('ѕrv01.corp.example', { refused: [['ѕrv01.corp.example', NOT_VALID.ascii]] }),
  on('srv01.cоrp.example', { refused: [['srv01.cоrp.example', NOT_VALID.ascii]] }),
  on('ѕrv01', { refused: [['ѕrv01', NOT_VALID.ascii]] }),
  on('ｓｒｖ０１.corp.example', { refused: [['ｓｒｖ０１.corp.example', NOT_VALID.ascii]] }),
  on('srv01。corp。example', { refused: [['srv01。corp。example', NOT_VALID.ascii]] }),
  on('lab‐box', { refused: [['lab‐box', NOT_VALID.ascii]] }),
  on('пример.рф', { refused: [['пример.рф', NOT_VALID.ascii]] }),
  // Punycode is a name like any other: the allow rules decide.
  on('xn--e1afmkfd.xn--p1ai', {
    refused: [['xn--e1afmkfd.xn--p1ai', notAllowedName('xn--e1afmkfd.xn--p1ai')]],
  }),
  on('xn--80ak6aa92e.com', { refused: [['xn--80ak6aa92e.com', notAllowedName('xn--80ak6aa92e.com')]] }),
  // Names outside the allow rules: refused without a lookup.
  on('evil.example', { refused: [['evil.example', notAllowedName('evil.example')]] }),
  on('127.0.0.1.evil.example', {
    refused: [['127.0.0.1.evil.example', notAllowedName('127.0.0.1.evil.example')]],
  }),
  on('localhost', { refused: [['localhost', notAllowedName('localhost')]] }),
  on('LOCALHOST:3389', { refused: [['localhost', notAllowedName('localhost')]] }),
  { say: 'rdp to ws042 fails', refused: [['ws042', notAllowedName('ws042')]] },
  // user@host: a host the user logs on to; a mail address or UPN (with a dot) is a user.
  on('user@host', { refused: [['user@host', USER_AT]] }),
  on('administrator@srv01', { refused: [['administrator@srv01', USER_AT]] }),
  {
    say: 'user jdoe@corp.example cannot rdp to srv01.corp.example',
    probed: ['srv01.corp.example:3389'],
  },
  // URLs.
  on('https://srv01.corp.example/RDWeb', { probed: ['srv01.corp.example:3389'] }),
  on('rdp://srv02.corp.example:3390', { probed: ['srv02.corp.example:3390'] }),
  on('http://user:pass@srv01.corp.example/', { probed: ['srv01.corp.example:3389'] }),
  on('https://srv01.corp.example:8443/', { refused: [['srv01.corp.example:8443', port(8443)]] }),
  on('https://evil.example/path', { refused: [['evil.example', notAllowedName('evil.example')]] }),
  // UNC paths.
  on('\\\\srv01.corp.example\\share', { probed: ['srv01.corp.example:3389'] }),
  on('\\\\srv..corp\\share', { refused: [['srv..corp', NOT_VALID.empty]] }),
  on('\\\\fileserver01\\share', { refused: [['fileserver01', notAllowedName('fileserver01')]] }),
  // Command lines and .rdp file lines.
  { say: 'mstsc /v:srv04.corp.example gives 0x204', probed: ['srv04.corp.example:3389'] },
  { say: 'rdp 0x904\nfull address:s:srv03.corp.example:3390', probed: ['srv03.corp.example:3390'] },
  { say: 'rdp 0x904\nfull address:s:[::1]:3390', probed: ['[::1]:3390'] },
  { say: 'rdp 0x904\nfull address:s:-srv01', refused: [['-srv01', NOT_VALID.hyphen]] },
  { say: 'rdp 0x904\nfull address:s:10.5', refused: [['10.5', UNUSUAL]] },
  { say: 'rdp 0x904\nfull address:s:srv..corp', refused: [['srv..corp', NOT_VALID.empty]] },
  {
    say: 'rdp 0x904\nfull address:s:srv01.corp.example:3389x',
    refused: [['srv01.corp.example:3389x', BAD_PORT]],
  },
  // Several in one message; a gateway.
  {
    say: 'rdp to srv01.corp.example and srv02.corp.example fails',
    probed: ['srv01.corp.example:3389', 'srv02.corp.example:3389'],
  },
  {
    say: 'rdp to srv01.corp.example and -srv02 fails',
    probed: ['srv01.corp.example:3389'],
    refused: [['-srv02', NOT_VALID.hyphen]],
  },
  {
    say: 'rdp to srv01.corp.example via rdg.corp.example fails',
    probed: ['srv01.corp.example:3389', 'rdg.corp.example:443'],
  },
  {
    say: 'rdp to srv01.corp.example via rdg..corp.example fails',
    probed: ['srv01.corp.example:3389'],
    refused: [['rdg..corp.example', NOT_VALID.empty]],
  },
  // Not hosts at all: nothing probed, nothing refused.
  { say: 'my default.rdp fails, see C:\\Users\\jdoe\\Documents\\srv01.rdp', refused: [] },
  { say: 'rdp broke after updating to 2.1.4 on ubuntu 24.04', refused: [] },
];

const config = configSchema.parse({
  allow: { suffixes: ['corp.example'], cidrs: ['127.0.0.0/8', '::1/128'] },
  deny: { suffixes: ['secret.corp.example'] },
  inventory: [{ name: 'lab-box', aliases: ['labby'], address: '127.0.0.12' }],
  probes: { rdpPorts: [3389, 3390], gatewayPorts: [443], timeoutMs: 1000 },
});

let bot: Bot;
const routed: PlannedTarget[] = [];
beforeAll(() => {
  bot = assembleBot({
    config,
    notice: () => {},
    routeTarget: (target, _timeoutMs, io) => {
      routed.push(target);
      io.emit({
        probe: 'tcp',
        target: hostPort(target.address ?? target.name, target.port),
        status: 'ok',
        code: 'TCP_OPEN',
        summary: `reached ${hostPort(target.name, target.port)} (test stub)`,
        ms: 1,
      });
      return Promise.resolve();
    },
  });
});
afterAll(async () => {
  await bot.close();
});

async function send(text: string): Promise<Reply> {
  const { surface, last } = lastReplySurface();
  await bot.conversation.handle(
    { platform: 'console', id: String(routed.length), user: 'u1', channel: 'console', text },
    surface,
    AbortSignal.timeout(10_000),
  );
  const reply = last();
  if (!reply) throw new Error(`no reply to ${text}`);
  return reply;
}

describe('every host-like token ends in the reply (issue 22)', () => {
  test('the table has at least 80 inputs', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(80);
  });

  test.for(ROWS.map((row) => [row.say.replace(/\s+/g, ' ').slice(0, 70), row] as const))(
    '%s',
    async ([, row]) => {
      const before = routed.length;
      const reply = await send(row.say);
      if (reply.kind !== 'report') throw new Error(`no report: ${JSON.stringify(reply)}`);
      const mine = routed.slice(before);
      // What was (or, in production, would be) probed: exactly the expected targets.
      expect(mine.map((t) => hostPort(t.name, t.port))).toEqual(row.probed ?? []);
      // Nothing outside the allow rules ever reaches the prober: loopback literals, or names
      // allowed by suffix or inventory (which production resolves and checks again).
      for (const target of mine) {
        const address = target.address ?? target.name;
        if (isIP(address) !== 0) expect(address).toMatch(/^(?:127\.|::1$)/);
        else expect(target.name).toMatch(/(?:^|\.)corp\.example$/);
      }
      expect(reply.report.refusals.map((r) => [r.target, r.reason])).toEqual(row.refused ?? []);
      // …and the reply shows each, as the console, Slack and Teams render it.
      const text = renderText(reply, { color: false });
      const slack = JSON.stringify(renderSlack(reply));
      for (const [target, reason] of row.refused ?? []) {
        expect(text).toContain(`${target}: ${reason}`);
        expect(slack).toContain(JSON.stringify(escapeMrkdwn(`${target}: ${reason}`)).slice(1, -1));
      }
      for (const probed of row.probed ?? []) expect(text).toContain(`reached ${probed} (test stub)`);
    },
  );
});

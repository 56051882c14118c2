import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { understand } from '../../src/intents/understand.js';
import { createFixtureCodeBook } from './fixture-code-book.js';

const codeBook = createFixtureCodeBook();
const inventory = [{ name: 'srv-fin-02', aliases: [] }];

interface Labelled {
  id: string;
  text: string;
  intent: string;
  codes: { value: string; role: string }[];
  hosts: string[];
  gateway: string | null;
  source: string;
}
const messages: Labelled[] = readFileSync(new URL('../fixtures/messages.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Labelled);

test('the issue example reads as a failure with both codes, the host and nothing else', () => {
  expect(understand('rdp 0x904 extended 0x7 on srv-fin-02', { codeBook, inventory })).toMatchObject({
    intent: 'rdp_failure',
    codes: [
      { value: '0x904', role: 'disconnect', name: 'disconnectReasonAtClientWinsockFDCLOSE' },
      { value: '0x7', role: 'extended', name: 'exDiscReasonServerDeniedConnection' },
    ],
    hosts: [{ name: 'srv-fin-02', kind: 'short' }],
    gateway: null,
  });
});

describe('intents', () => {
  test.for([
    ['the rdp session is super laggy on srv-fin-02 today', 'rdp_slow_or_quality'],
    ['remote desktop shows a black screen and then closes', 'rdp_failure'],
    ['stuck at configuring remote session', 'rdp_failure'],
    ['what can you do?', 'help'],
    ['?', 'help'],
    ['thanks, that fixed it', 'feedback'],
    ['👍', 'feedback'],
    ['anyconnect vpn drops every hour', 'out_of_scope'],
    ['outlook keeps asking for my password', 'out_of_scope'],
    ['the printer on floor 3 is offline', 'out_of_scope'],
    ['please reset my password, I am locked out', 'out_of_scope'],
    ['ssh: connect to host build01 port 22: Connection refused', 'out_of_scope'],
    ['citrix workspace will not launch my desktop', 'out_of_scope'],
    ['windows update fails with 0x80070005', 'out_of_scope'],
    ['teams crashes with error caa70004', 'out_of_scope'],
    ['office install stops with error 30088-26', 'out_of_scope'],
    ['feature update rolls back with 0xc1900101', 'out_of_scope'],
    ['cant reach the smb share on the nas from home', 'out_of_scope'],
    ['radmin viewer wont connect to the remote computer', 'out_of_scope'],
    ['idrac virtual console shows a black screen', 'out_of_scope'],
  ] as const)('%s → %s', ([text, intent]) => {
    expect(understand(text, { codeBook }).intent).toBe(intent);
  });

  test('a known RDP code or an .rdp file is never out of scope or a request for help', () => {
    expect(understand('0x904', { codeBook }).intent).toBe('rdp_failure');
    expect(understand('full address:s:srv-fin-02\nscreen mode id:i:2', { codeBook }).intent).toBe(
      'rdp_failure',
    );
  });
});

describe('near-misses: what the message is about', () => {
  test.for([
    // Another product named first and at least as often as the RDP word: it is that product's problem.
    [
      'teamviewer stopped working after i uninstalled rdp wrapper, teamviewer just says not ready',
      'out_of_scope',
    ],
    // RDP named first: an RDP problem, whatever else still works.
    ['rdp to the build box fails since monday, vnc to it still works', 'rdp_failure'],
    // Nothing of Remote Desktop at all (no RDP or remote word, host, code or symptom).
    ['the new dock does not power my two screens when i plug it in', 'out_of_scope'],
    // "remote" alone is every tool's word ("the remote host"); "remoted into the office pc" is RDP talk.
    [
      'the sync tool on the new pc fails with an existing connection was forcibly closed by the remote host',
      'out_of_scope',
    ],
    ['i remoted into the office pc and it froze', 'rdp_failure'],
    // Remote-support vocabulary outweighs a shared "remote desktop"; an RDP word still keeps it ours.
    ['the agent is running on the pc but the remote desktop tab says offline', 'out_of_scope'],
    ['rdp to the build agent fails with 0x204', 'rdp_failure'],
    // "authenticator" (the MFA app) must not stem-match "authentication".
    ['keeps saying authentication failed when i remote into my work pc', 'rdp_failure'],
    ['my authenticator app wont show the code on the new phone', 'out_of_scope'],
  ] as const)('%s → %s', ([text, intent]) => {
    expect(understand(text, { codeBook }).intent).toBe(intent);
  });
});

test('a short polite message that names RDP and a failure is a report, not feedback', () => {
  const { intent } = understand(
    'good afternoon, rdp stopped working on the file server, can anyone help me?',
    {
      codeBook,
    },
  );
  expect(['rdp_failure', 'rdp_slow_or_quality']).toContain(intent);
  expect(understand('thanks, that fixed it', { codeBook }).intent).toBe('feedback');
});

test('how sure it is of an RDP problem counts failure and quality problem together', () => {
  const understood = understand('rdp into my ubuntu vm with xrdp, after login its just a blank screen', {
    codeBook,
  });
  expect(['rdp_failure', 'rdp_slow_or_quality']).toContain(understood.intent);
  expect(understood.confidence).toBeGreaterThan(0.9);
});

test('symptoms without codes', () => {
  expect(understand('black screen then it closes, disconnects every 10 min', { codeBook }).symptoms).toEqual([
    'black_screen',
    'periodic_disconnect',
  ]);
  expect(
    understand('your credentials did not work, and a certificate warning before', { codeBook }).symptoms,
  ).toEqual(['credentials_rejected', 'certificate_warning']);
});

test('the .rdp file settings reach the Understanding', () => {
  const understood = understand(
    'full address:s:srv-fin-02:3390\ngatewayhostname:s:rdg.corp.example\ngatewayusagemethod:i:1',
    {
      codeBook,
    },
  );
  expect(understood.rdpFile).toEqual({
    'full address': 'srv-fin-02:3390',
    gatewayhostname: 'rdg.corp.example',
    gatewayusagemethod: 1,
  });
  expect(understood.gateway).toBe('rdg.corp.example');
  expect(understood.hosts).toEqual([{ name: 'srv-fin-02', kind: 'short', port: 3390 }]);
});

describe('the labelled messages (test/fixtures/messages.jsonl)', () => {
  test('the file has what the evaluation needs: 400+ messages with a source, 60+ out of scope, 40+ without a code, 60+ with a gateway', () => {
    expect(messages.length).toBeGreaterThanOrEqual(400);
    expect(messages.every((m) => /^https:\/\//.test(m.source))).toBe(true);
    expect(messages.filter((m) => m.intent === 'out_of_scope').length).toBeGreaterThanOrEqual(60);
    expect(messages.filter((m) => m.codes.length === 0).length).toBeGreaterThanOrEqual(40);
    expect(messages.filter((m) => m.gateway !== null).length).toBeGreaterThanOrEqual(60);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  });

  // Extraction is rules, not learning: every labelled message must read exactly as labelled.
  test.for(messages.map((m) => [m.id, m] as const))('%s: codes, hosts and gateway as labelled', ([, m]) => {
    const understood = understand(m.text, { codeBook });
    expect(understood.codes.map((c) => `${c.value}:${c.role}`).sort()).toEqual(
      m.codes.map((c) => `${c.value}:${c.role}`).sort(),
    );
    expect(understood.hosts.map((h) => h.name).sort()).toEqual([...m.hosts].sort());
    expect(understood.gateway).toBe(m.gateway);
  });
});

describe('words typed without their apostrophe', () => {
  const mentions = (text: string) =>
    (understand(text, { codeBook }).mentions ?? []).map((m) => `${m.kind}:${m.id}`);

  test('"didnt" negates like "didn\'t": clearing the credentials was not tried', () => {
    expect(mentions("rdp to srv-fin-02 fails, i didn't clear the saved credentials yet")).not.toContain(
      'tried:clear-saved-credentials',
    );
    expect(mentions('rdp to srv-fin-02 fails, i didnt clear the saved credentials yet')).not.toContain(
      'tried:clear-saved-credentials',
    );
  });

  test('"cant paste" is the clipboard cue "can\'t paste"', () => {
    expect(mentions('in the rdp session i cant paste anymore')).toContain('cue:clipboard');
  });
});

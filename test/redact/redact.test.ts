import { describe, expect, test } from 'vitest';
import { findSecrets, REDACTED, redact } from '../../src/redact/redact.js';

// Each row: a message as someone might paste it, the secret that must disappear, and the words
// that must survive so the redacted text still reads.
const ROWS: { desc: string; text: string; secret: string; keeps: string[] }[] = [
  {
    desc: 'Slack bot token',
    text: 'bot stopped, token is xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUv',
    secret: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUv',
    keeps: ['bot stopped'],
  },
  {
    desc: 'Slack app-level token',
    text: 'SLACK_APP_TOKEN xapp-1-A0123456789-1234567890123-abcdef0123456789',
    secret: 'xapp-1-A0123456789-1234567890123-abcdef0123456789',
    keeps: ['SLACK_APP_TOKEN'],
  },
  {
    desc: 'Slack user token',
    text: 'use xoxp-11111111-22222222-33333333-4444abcd please',
    secret: 'xoxp-11111111-22222222-33333333-4444abcd',
    keeps: ['please'],
  },
  {
    desc: 'JWT',
    text: 'auth header eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz fails',
    secret: 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz',
    keeps: ['auth header', 'fails'],
  },
  {
    desc: 'Bearer token',
    text: 'Authorization: Bearer abc.DEF-123_456~xyz/789+=',
    secret: 'abc.DEF-123_456~xyz/789+=',
    keeps: ['Bearer'],
  },
  {
    desc: 'password=',
    text: 'rdp 0x904 password=Hunter2! on srv-fin-02',
    secret: 'Hunter2!',
    keeps: ['0x904', 'srv-fin-02', 'password='],
  },
  {
    desc: 'Password: with quotes',
    text: 'Password: "S3cret with space"',
    secret: 'S3cret with space',
    keeps: ['Password:'],
  },
  {
    desc: 'JSON password field',
    text: '{"user":"bob","password":"pa55w0rd"}',
    secret: 'pa55w0rd',
    keeps: ['bob'],
  },
  {
    desc: 'my password is …',
    text: 'my password is Winter2024! and it fails',
    secret: 'Winter2024!',
    keeps: ['and it fails'],
  },
  {
    desc: 'pwd in a query string',
    text: 'https://x/?user=a&pwd=qwerty123&x=1',
    secret: 'qwerty123',
    keeps: ['user=a', 'x=1'],
  },
  {
    desc: 'client_secret',
    text: 'client_secret = abcDEF123456',
    secret: 'abcDEF123456',
    keeps: ['client_secret'],
  },
  {
    desc: 'mstsc-style /p: argument',
    text: 'xfreerdp /v:srv-fin-02 /u:bob /p:Tr0ub4dor&3 /cert:ignore',
    secret: 'Tr0ub4dor&3',
    keeps: ['/v:srv-fin-02', '/u:bob', '/cert:ignore'],
  },
  { desc: 'quoted /p: argument', text: 'xfreerdp /p:"two words" /v:h', secret: 'two words', keeps: ['/v:h'] },
  {
    desc: 'cmdkey /pass:',
    text: 'cmdkey /generic:TERMSRV/srv /user:bob /pass:Sommer2025',
    secret: 'Sommer2025',
    keeps: ['/user:bob'],
  },
  {
    desc: '.rdp file password blob',
    text: 'full address:s:srv-fin-02\npassword 51:b:01000000D08C9DDF0115D1118C7A00C04FC297EB',
    secret: '01000000D08C9DDF0115D1118C7A00C04FC297EB',
    keeps: ['full address:s:srv-fin-02'],
  },
  {
    desc: 'PEM private key',
    text: 'my key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAMwAAAAtzc2gtZWQyNTUxOQ\n-----END OPENSSH PRIVATE KEY-----\nthanks',
    secret: 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
    keeps: ['my key:', 'thanks'],
  },
  {
    desc: 'PEM private key cut off before END',
    text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
    secret: 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
    keeps: [],
  },
  {
    desc: 'URL credentials',
    text: 'see https://bob:Geheim99@intranet.example/x',
    secret: 'Geheim99',
    keeps: ['bob', 'intranet.example'],
  },
  {
    desc: 'PowerShell secure string',
    text: '$p = ConvertTo-SecureString "Pl@inText1" -AsPlainText',
    secret: 'Pl@inText1',
    keeps: ['-AsPlainText'],
  },
  {
    desc: 'AWS access key id',
    text: 'AKIAIOSFODNN7EXAMPLE leaked',
    secret: 'AKIAIOSFODNN7EXAMPLE',
    keeps: ['leaked'],
  },
];

describe('redact', () => {
  test.for(ROWS)('removes a $desc', ({ text, secret, keeps }) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    for (const word of keeps) expect(out).toContain(word);
    expect(findSecrets(text).length).toBeGreaterThan(0);
  });

  test.for(ROWS)('is idempotent for a $desc', ({ text }) => {
    expect(redact(redact(text))).toBe(redact(text));
  });

  // Ordinary triage messages must come through untouched: the audit log should still be useful.
  test.for([
    'rdp 0x904 extended 0x7 on srv-fin-02',
    'Error code: 0x204 / Extended error code: 0x0 connecting to 10.1.2.3:3389',
    'black screen then it closes on build-agent-7 via rdg.corp.example',
    'mstsc /v:srv-fin-02 /admin fails with "An internal error has occurred"',
    'the password expired, I get 0x2407 CredSSP',
    'token bucket? no idea, the bypass list has srv-fin-02',
  ])('leaves an ordinary message alone: %s', (text) => {
    expect(redact(text)).toBe(text);
    expect(findSecrets(text)).toEqual([]);
  });
});

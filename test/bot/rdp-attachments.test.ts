import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AttachedFile, downloadImage } from '../../src/bot/attachments/images.js';
import {
  decodeRdpFile,
  isRdpAttachment,
  MAX_RDP_FILE_BYTES,
  readRdpAttachments,
} from '../../src/bot/attachments/rdp-files.js';
import { createConversation } from '../../src/bot/conversation/conversation.js';
import type { Surface } from '../../src/bot/conversation/ports.js';
import { understand } from '../../src/intents/understand.js';
import type { Reply } from '../../src/report/reply.js';
import { createFuzzInputs, seededRandom } from '../intents/fuzz-inputs.js';

// A file as mstsc's "Save As" writes it (UTF-16LE with a BOM, CRLF), with saved credentials: the
// `password 51:b:` blob is DPAPI-encrypted, but still a secret that must never come back out.
const PASSWORD_BLOB = `01000000D08C9DDF0115D1118C7A00C04FC297EB0100000066${'A1'.repeat(200)}`;
const MSTSC_LINES = [
  'screen mode id:i:2',
  'use multimon:i:0',
  'desktopwidth:i:1920',
  'desktopheight:i:1080',
  'session bpp:i:32',
  'winposstr:s:0,1,0,0,800,600',
  'full address:s:srv-fin-02.corp.example:3390',
  'audiomode:i:0',
  'username:s:CORP\\jdoe',
  `password 51:b:${PASSWORD_BLOB}`,
  'prompt for credentials:i:0',
  'authentication level:i:2',
  'enablecredsspsupport:i:1',
  'negotiate security layer:i:1',
  'loadbalanceinfo:s:tsv://MS Terminal Services Plugin.1.Finance_Desktops',
  'kdcproxyname:s:kdc.corp.example',
  'gatewayhostname:s:rdg.corp.example',
  'gatewayusagemethod:i:1',
  'gatewaycredentialssource:i:4',
  'gatewayprofileusagemethod:i:1',
  'drivestoredirect:s:',
];
const MSTSC_TEXT = `${MSTSC_LINES.join('\r\n')}\r\n`;
const utf16leWithBom = (text: string) => new Uint8Array(Buffer.from(`\uFEFF${text}`, 'utf16le'));

describe('decodeRdpFile', () => {
  const expected = {
    'full address': 'srv-fin-02.corp.example:3390',
    gatewayhostname: 'rdg.corp.example',
    gatewayusagemethod: 1,
    'authentication level': 2,
    enablecredsspsupport: 1,
  };

  test.for([
    { desc: 'UTF-16LE with BOM (mstsc "Save As")', bytes: () => utf16leWithBom(MSTSC_TEXT) },
    { desc: 'UTF-16LE without BOM', bytes: () => new Uint8Array(Buffer.from(MSTSC_TEXT, 'utf16le')) },
    {
      desc: 'UTF-16BE with BOM',
      bytes: () => new Uint8Array(Buffer.from(`\uFEFF${MSTSC_TEXT}`, 'utf16le').swap16()),
    },
    { desc: 'UTF-8 with CRLF', bytes: () => new Uint8Array(Buffer.from(MSTSC_TEXT, 'utf8')) },
    {
      desc: 'UTF-8 with BOM and LF',
      bytes: () => new Uint8Array(Buffer.from(`\uFEFF${MSTSC_LINES.join('\n')}`, 'utf8')),
    },
    {
      desc: 'Windows-1252 (Notepad ANSI, é in a user name)',
      bytes: () => new Uint8Array(Buffer.from(MSTSC_TEXT.replace('jdoe', 'josé'), 'latin1')),
    },
  ])('$desc', ({ bytes }) => {
    const decoded = decodeRdpFile(bytes());
    if ('problem' in decoded) throw new Error(`not decoded: ${decoded.problem}`);
    expect(decoded.settings).toMatchObject(expected);
    // CR never sticks to a value; saved credentials are never a setting.
    expect(JSON.stringify(decoded.settings)).not.toMatch(/\\r|password|D08C9DDF/);
  });

  test.for([
    { desc: 'empty', bytes: new Uint8Array(0), problem: 'empty' },
    { desc: 'over 64 KiB', bytes: new Uint8Array(MAX_RDP_FILE_BYTES + 1).fill(0x61), problem: 'too-large' },
    {
      desc: 'a PNG renamed to .rdp',
      bytes: new Uint8Array([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
      ]),
      problem: 'not-text',
    },
    {
      desc: 'binary with control bytes',
      bytes: new Uint8Array([0x66, 0x75, 0x01, 0x02, 0x03, 0x6c]),
      problem: 'not-text',
    },
    {
      desc: 'odd-length UTF-16 with a BOM',
      bytes: new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x62]),
      problem: 'not-text',
    },
    {
      desc: 'text without settings',
      bytes: new Uint8Array(Buffer.from('hello, this is a note\r\n')),
      problem: 'no-settings',
    },
    {
      desc: 'only a password line',
      bytes: utf16leWithBom(`password 51:b:${PASSWORD_BLOB}\r\n`),
      problem: 'no-settings',
    },
  ])('$desc → $problem', ({ bytes, problem }) => {
    expect(decodeRdpFile(bytes)).toMatchObject({ problem });
  });
});

test('random bytes and adversarial text in every encoding never throw: settings without secrets, or a problem', () => {
  const random = seededRandom(4_096);
  const text = createFuzzInputs(random);
  for (let i = 0; i < 600; i++) {
    const kind = i % 3;
    const bytes =
      kind === 0
        ? new Uint8Array(
            Array.from({ length: Math.floor(random() * 4096) }, () => Math.floor(random() * 256)),
          )
        : kind === 1
          ? utf16leWithBom(`${text().slice(0, 20_000)}\r\n${MSTSC_LINES[i % MSTSC_LINES.length]}`)
          : new Uint8Array(Buffer.from(`${text().slice(0, 20_000)}\n${MSTSC_LINES[i % MSTSC_LINES.length]}`));
    const decoded = decodeRdpFile(bytes);
    if ('problem' in decoded)
      expect(['empty', 'too-large', 'not-text', 'no-settings']).toContain(decoded.problem);
    else expect(JSON.stringify(decoded.settings)).not.toContain('D08C9DDF');
  }
});

test('an .rdp attachment is known by its name or its MIME type, not a screenshot', () => {
  expect(isRdpAttachment({ name: 'Finance Desktop.RDP' })).toBe(true);
  expect(isRdpAttachment({ name: 'connection', mimetype: 'application/x-rdp' })).toBe(true);
  expect(isRdpAttachment({ name: 'dialog.png', mimetype: 'image/png' })).toBe(false);
  expect(isRdpAttachment({ name: 'rdp.txt', mimetype: 'text/plain' })).toBe(false);
});

describe('readRdpAttachments over HTTP', () => {
  // A loopback file server: the downloads run through the same downloadImage path as Slack's and Teams'.
  const served = new Map<string, { body: Uint8Array; delayMs?: number }>();
  let base = '';
  const server = createServer((request, response) => {
    const file = served.get(request.url ?? '');
    if (!file) return void response.writeHead(404).end();
    setTimeout(
      () => response.writeHead(200, { 'content-type': 'application/x-rdp' }).end(file.body),
      file.delayMs ?? 0,
    );
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const attached = (name: string, path = `/${name}`): AttachedFile => ({
    name,
    download: ({ signal, limits }) => downloadImage(`${base}${path}`, { signal, limits }),
  });

  test('the settings read like pasted text: host, port, gateway; the note says what was read', async () => {
    served.set('/app.rdp', { body: utf16leWithBom(MSTSC_TEXT) });
    const screenshot = attached('dialog.png');
    const read = await readRdpAttachments([screenshot, attached('app.rdp')], AbortSignal.timeout(5000));
    expect(read.others).toEqual([screenshot]);
    expect(read.notes).toEqual([
      'Read settings from "app.rdp": srv-fin-02.corp.example:3390, via rdg.corp.example, authentication level 2',
    ]);
    expect(read.settings).not.toMatch(/password|D08C9DDF|jdoe|kdc\.corp|Plugin|winposstr/);
    const understood = understand(`${read.settings}\ncan't connect`);
    expect(understood.hosts).toEqual([{ name: 'srv-fin-02.corp.example', kind: 'fqdn', port: 3390 }]);
    expect(understood.gateway).toBe('rdg.corp.example');
    expect(understood.rdpFile).toMatchObject({ 'authentication level': 2, enablecredsspsupport: 1 });
    expect(understood.intent).toBe('rdp_failure');
  });

  test('a file over 64 KiB is refused on its declared length, with a note', async () => {
    served.set('/big.rdp', { body: new Uint8Array(MAX_RDP_FILE_BYTES * 2).fill(0x61) });
    const read = await readRdpAttachments([attached('big.rdp')], AbortSignal.timeout(5000));
    expect(read.settings).toBe('');
    expect(read.notes[0]).toMatch(/^"big.rdp" is 128 KiB; .* up to 64 KiB/);
  });

  test('a missing file and a slow one are notes, not failures', async () => {
    const missing = await readRdpAttachments([attached('gone.rdp')], AbortSignal.timeout(5000));
    expect(missing.notes).toEqual([
      'I could not download "gone.rdp" (HTTP 404). Paste its "full address" and "gatewayhostname" lines instead.',
    ]);
    served.set('/slow.rdp', { body: utf16leWithBom(MSTSC_TEXT), delayMs: 2000 });
    const slow = await readRdpAttachments([attached('slow.rdp')], AbortSignal.timeout(5000), 100);
    expect(slow.notes).toEqual(['Downloading "slow.rdp" took longer than 1 s, so I stopped.']);
  });

  test("the caller's own abort is not swallowed", async () => {
    served.set('/slow2.rdp', { body: utf16leWithBom(MSTSC_TEXT), delayMs: 2000 });
    const controller = new AbortController();
    const reading = readRdpAttachments([attached('slow2.rdp')], controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(reading).rejects.toThrow('shutting down');
  });
});

describe('in the conversation', () => {
  const inMemory = (name: string, bytes: Uint8Array): AttachedFile => ({
    name,
    download: async () => ({ bytes }),
  });
  const recording = () => {
    const replies: Reply[] = [];
    const surface: Surface = {
      minUpdateIntervalMs: 0,
      post: async (reply) => void replies.push(reply),
      update: async (reply) => void replies.push(reply),
    };
    return { surface, replies };
  };

  test('a message that is only an .rdp file is triaged for the host in it, with the note on the reply', async () => {
    const seen: string[] = [];
    const conversation = createConversation({
      understand: (text) => {
        seen.push(text);
        return understand(text);
      },
      triage: async (understanding) => ({
        understanding,
        findings: [],
        fixes: [],
        refusals: [],
        startedAt: '2026-11-25T20:00:00.000Z',
        ms: 1,
      }),
    });
    const { surface, replies } = recording();
    const incoming = { platform: 'console', id: '1', user: 'u', channel: 'c', text: '' } as const;
    const report = await conversation.handle(
      { ...incoming, files: [inMemory('app.rdp', utf16leWithBom(MSTSC_TEXT))] },
      surface,
      AbortSignal.timeout(5000),
    );
    expect(report?.understanding.hosts.map((h) => `${h.name}:${h.port}`)).toEqual([
      'srv-fin-02.corp.example:3390',
    ]);
    expect(report?.understanding.gateway).toBe('rdg.corp.example');
    expect(seen[0]).not.toMatch(/password|D08C9DDF/);
    const final = replies.at(-1);
    expect(final?.kind === 'report' && final.note).toMatch(/^Read settings from "app.rdp": srv-fin-02/);
  });

  test('a message that is only a broken .rdp file gets the reason, not "your message was empty"', async () => {
    const conversation = createConversation({
      understand,
      triage: async () => {
        throw new Error('must not triage');
      },
    });
    const { surface, replies } = recording();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const report = await conversation.handle(
      { platform: 'console', id: '2', user: 'u', channel: 'c', text: ' ', files: [inMemory('app.rdp', png)] },
      surface,
      AbortSignal.timeout(5000),
    );
    expect(report).toBeNull();
    expect(replies).toEqual([
      {
        kind: 'text',
        text: '"app.rdp" is not a text file, so it is not a Remote Desktop connection file I can read. Open it in Notepad and paste its lines instead.',
      },
    ]);
  });
});

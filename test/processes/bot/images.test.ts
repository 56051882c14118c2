import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  DEFAULT_IMAGE_LIMITS,
  describeImageProblem,
  downloadImage,
  fileAttachment,
  type ImageTextReader,
  readImageFile,
  readScreenshots,
  sniffImage,
} from '../../../src/bot/attachments/images.js';
import { imageMagick } from '../../ocr/dialog-images.js';

const run = promisify(execFile);
let dir = '';
let server: Server;
let base = '';
const bodies = new Map<string, { bytes: Buffer; declare: boolean }>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'images-'));
  server = createServer((request, response) => {
    const body = bodies.get(request.url ?? '');
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, body.declare ? { 'content-length': String(body.bytes.length) } : {});
    // Chunked without a length: the reader must stop at the limit on its own.
    const chunk = 1024 * 1024;
    let offset = 0;
    const pump = () => {
      while (offset < body.bytes.length) {
        const more = response.write(body.bytes.subarray(offset, offset + chunk));
        offset += chunk;
        if (!more) return void response.once('drain', pump);
      }
      response.end();
    };
    response.on('error', () => {});
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** A real PNG of any size: 1-bit grey, all zero rows deflate to almost nothing. */
function pngOf(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'ascii'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc(Math.min(height, 2000) * (Math.ceil(width / 8) + 1));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('sniffImage', () => {
  test('reads PNG and JPEG dimensions from the header', async () => {
    const convert = imageMagick() ?? 'convert';
    const png = join(dir, 'a.png');
    const jpg = join(dir, 'a.jpg');
    await run(convert, ['-size', '321x123', 'xc:white', png]);
    await run(convert, ['-size', '640x480', 'xc:gray', '-quality', '80', jpg]);
    expect(sniffImage(await readFile(png))).toEqual({ kind: 'png', width: 321, height: 123 });
    expect(sniffImage(await readFile(jpg))).toEqual({ kind: 'jpeg', width: 640, height: 480 });
  });

  test('a 20,000 × 20,000 PNG is refused from its header, before any decoding', () => {
    const bytes = pngOf(20_000, 20_000);
    expect(bytes.length).toBeLessThan(100_000);
    const problem = sniffImage(bytes);
    expect(problem).toMatchObject({ problem: 'too-many-pixels', width: 20_000, height: 20_000 });
    expect(describeImageProblem(problem as never, '"huge.png"')).toBe(
      '"huge.png" is 20000 × 20000 pixels; I read images up to 4096 × 4096. Crop it to the error dialog and send it again.',
    );
  });

  test.for([
    { desc: 'a text file', bytes: Buffer.from('Error code: 0x904\n'), problem: 'not-an-image' },
    { desc: 'a GIF', bytes: Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1'), problem: 'unsupported' },
    { desc: 'a PDF', bytes: Buffer.from('%PDF-1.7\n'), problem: 'unsupported' },
    { desc: 'an empty upload', bytes: Buffer.alloc(0), problem: 'empty' },
    {
      desc: 'a PNG signature with garbage after it',
      bytes: Buffer.concat([pngOf(10, 10).subarray(0, 8), Buffer.from('garbage garbage garbage garbage')]),
      problem: 'corrupt',
    },
    {
      desc: 'a JPEG start with no frame header',
      bytes: Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
      problem: 'corrupt',
    },
  ])('$desc → $problem', ({ bytes, problem }) => {
    const result = sniffImage(bytes);
    expect(result).toMatchObject({ problem });
    expect(describeImageProblem(result as never, '"x"')).toMatch(/^(?!.*undefined).+\.$/s);
  });
});

describe('reading uploads within limits', () => {
  test('a 100 MB file is refused from its size, not read', async () => {
    const path = join(dir, 'big.png');
    const handle = await open(path, 'w');
    await handle.truncate(100 * 1024 * 1024); // sparse: no 100 MB written to disk
    await handle.close();
    const result = await readImageFile(path);
    expect(result).toMatchObject({ problem: 'too-large', bytes: 100 * 1024 * 1024 });
    expect(describeImageProblem(result as never, '"big.png"')).toContain(
      '100.0 MB; I read screenshots up to 10 MB',
    );
  });

  test('a 100 MB download is refused from Content-Length', async () => {
    bodies.set('/declared', { bytes: Buffer.alloc(100 * 1024 * 1024), declare: true });
    const result = await downloadImage(`${base}/declared`, { signal: AbortSignal.timeout(10_000) });
    expect(result).toMatchObject({ problem: 'too-large', bytes: 100 * 1024 * 1024 });
  });

  test('a download without a length stops at the limit', async () => {
    bodies.set('/chunked', { bytes: Buffer.alloc(30 * 1024 * 1024), declare: false });
    const result = await downloadImage(`${base}/chunked`, { signal: AbortSignal.timeout(10_000) });
    expect(result).toMatchObject({ problem: 'too-large' });
    expect((result as { bytes: number }).bytes).toBeLessThanOrEqual(
      DEFAULT_IMAGE_LIMITS.maxBytes + 1024 * 1024,
    );
  });

  test('an HTTP error is a sentence, not a throw', async () => {
    const result = await downloadImage(`${base}/missing`, { signal: AbortSignal.timeout(10_000) });
    expect(result).toEqual({ problem: 'download-failed', detail: 'HTTP 404' });
  });
});

describe('readScreenshots', () => {
  const never: ImageTextReader = {
    read: async () => {
      throw new Error('OCR must not run for a file that is not a usable image');
    },
  };

  test.for([
    {
      desc: 'a non-image file',
      name: 'notes.txt',
      bytes: Buffer.from('hello'),
      expected: /"notes\.txt" is not a picture/,
    },
    { desc: 'a huge PNG', name: 'huge.png', bytes: pngOf(20_000, 20_000), expected: /20000 × 20000 pixels/ },
  ])('$desc gets its sentence and never reaches OCR', async ({ name, bytes, expected }) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const reading = await readScreenshots([fileAttachment(path)], {
      ocr: never,
      signal: AbortSignal.timeout(5000),
    });
    expect(reading).toEqual({ problem: expect.stringMatching(expected) });
  });

  test('an image with no text says so', async () => {
    const path = join(dir, 'blank.png');
    await writeFile(path, pngOf(200, 100));
    const blank: ImageTextReader = { read: async () => ({ status: 'no-text', ms: 5 }) };
    const reading = await readScreenshots([fileAttachment(path)], {
      ocr: blank,
      signal: AbortSignal.timeout(5000),
    });
    expect(reading).toEqual({ problem: expect.stringContaining('I could not find any text in "blank.png"') });
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { understand } from '../../../src/intents/understand.js';
import { createOcrReader } from '../../../src/ocr/ocr-reader.js';
import { type DialogVariant, imageMagick, renderDialog } from '../../ocr/dialog-images.js';
import { expectedReading, SCENARIOS } from '../../ocr/dialog-scenarios.js';

// A handful of generated screenshots only (npm test stays fast); scripts/eval-ocr.ts reads all.
// OCR is CPU-bound: on a 2-core box running the whole suite a read can wait seconds for a core.
vi.setConfig({ testTimeout: 120_000 });

const run = promisify(execFile);
const reader = createOcrReader({ deadlineMs: 30_000 });
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocr-reader-'));
});
afterAll(async () => {
  await reader.close();
  await rm(dir, { recursive: true, force: true });
});

const scenario = (id: string) => {
  const found = SCENARIOS.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
};

const signal = () => new AbortController().signal;
const nonZero = (codes: string[]) => codes.filter((code) => code !== '0x0').sort();

const CASES: Array<{ id: string; variant: DialogVariant }> = [
  { id: 'cant-connect-904-7', variant: { scale: 1, theme: 'light', font: 'Liberation-Sans' } },
  { id: 'internal-error-4', variant: { scale: 1.5, theme: 'dark', font: 'Liberation-Sans' } },
  { id: 'dns-104', variant: { scale: 1.25, theme: 'light', font: 'DejaVu-Sans', jpegQuality: 65 } },
  { id: 'licensing-101', variant: { scale: 1.5, theme: 'light', font: 'Liberation-Sans', photo: true } },
];

describe('reading generated Remote Desktop error dialogs', () => {
  test('ImageMagick is installed (.ci/run installs it)', () => {
    expect(imageMagick()).not.toBeNull();
  });

  test.for(CASES)('$id at $variant.scale× $variant.theme', async ({ id, variant }) => {
    const image = await renderDialog(scenario(id), variant, dir);
    const outcome = await reader.read(
      { bytes: await readFile(image.file), kind: image.file.endsWith('.png') ? 'png' : 'jpeg' },
      { signal: signal() },
    );
    expect(outcome.status).toBe('read');
    if (outcome.status !== 'read') return;
    const understood = understand(outcome.text);
    const expected = expectedReading(image.scenario);
    expect(nonZero(understood.codes.map((code) => code.value))).toEqual(nonZero(expected.codes));
    expect(understood.hosts.map((host) => host.name.toLowerCase())).toContain(expected.host);
    expect(understood.intent).toBe('rdp_failure');
  });
});

describe('images that hold no usable text', () => {
  test('a photo-like gradient with no text is "no-text", not garbage', async () => {
    const file = join(dir, 'blank.png');
    await run(imageMagick() ?? 'convert', [
      '-seed',
      '7',
      '-size',
      '640x400',
      'plasma:fractal',
      '-blur',
      '0x3',
      file,
    ]);
    const outcome = await reader.read({ bytes: await readFile(file), kind: 'png' }, { signal: signal() });
    expect(outcome.status).toBe('no-text');
  });

  test('a PNG whose pixel data is cut off is "undecodable" and the reader keeps working', async () => {
    const image = await renderDialog(
      scenario('internal-error-4'),
      { scale: 1, theme: 'light', font: 'DejaVu-Sans' },
      dir,
      'cut',
    );
    const bytes = await readFile(image.file);
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    await writeFile(join(dir, 'cut.png'), cut);
    expect((await reader.read({ bytes: cut, kind: 'png' }, { signal: signal() })).status).toBe('undecodable');
    expect((await reader.read({ bytes, kind: 'png' }, { signal: signal() })).status).toBe('read');
  });
});

describe('deadline and cancellation', () => {
  test('a read past its deadline returns "timeout" and ends the thread; the next read starts a new one', async () => {
    const image = await renderDialog(
      scenario('reasons-204'),
      { scale: 1.5, theme: 'light', font: 'DejaVu-Sans' },
      dir,
    );
    const bytes = await readFile(image.file);
    const hurried = createOcrReader({ deadlineMs: 50 });
    try {
      const started = performance.now();
      const outcome = await hurried.read({ bytes, kind: 'png' }, { signal: signal() });
      expect(outcome.status).toBe('timeout');
      // Returned at the deadline, not after the page was read (generous bound for a busy CI box).
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await hurried.close();
    }
  });

  test("the caller's abort rejects with its reason and the reader recovers", async () => {
    const image = await renderDialog(
      scenario('security-406'),
      { scale: 1.25, theme: 'dark', font: 'Liberation-Sans' },
      dir,
    );
    const bytes = await readFile(image.file);
    const controller = new AbortController();
    const reading = reader.read({ bytes, kind: 'png' }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 20);
    await expect(reading).rejects.toThrow('user left');
    const again = await reader.read({ bytes, kind: 'png' }, { signal: signal() });
    expect(again.status).toBe('read');
  });
});

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderDialog } from '../../ocr/dialog-images.js';
import { SCENARIOS } from '../../ocr/dialog-scenarios.js';

// The CLI and the console chat read screenshots like chat attachments (real process, real OCR).

const BIN = fileURLToPath(new URL('../../../bin/rdp-triage.js', import.meta.url));
let dir = '';
let dialog = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-image-'));
  const scenario = SCENARIOS.find((s) => s.id === 'dns-104');
  if (!scenario) throw new Error('scenario missing');
  dialog = (await renderDialog(scenario, { scale: 1.25, theme: 'dark', font: 'Liberation-Sans' }, dir)).file;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe('rdp-triage classify --image', () => {
  test('--json prints the Understanding of the screenshot plus the text read', {
    timeout: 120_000,
  }, async () => {
    const { code, stdout } = await cli(['classify', '--image', dialog, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      intent: string;
      codes: { value: string }[];
      hosts: { name: string }[];
      ocrText: string;
    };
    expect(result.intent).toBe('rdp_failure');
    expect(result.codes.map((c) => c.value)).toContain('0x104');
    expect(result.hosts.map((h) => h.name)).toContain('build-agent-7');
    expect(result.ocrText).toContain("can't find the computer");
  });

  test('a file that is not an image: one sentence, exit 1', { timeout: 120_000 }, async () => {
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'Error code: 0x904');
    const { code, stdout, stderr } = await cli(['classify', '--image', notes]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(
      'rdp-triage: "notes.txt" is not a picture (not PNG or JPEG). Send a screenshot of the error dialog, or paste its text.',
    );
  });
});

test('the console chat reads `/image PATH` and says what it read', { timeout: 120_000 }, async () => {
  const output = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'chat'], { env: { ...process.env, NO_COLOR: '1' } });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const timer = setTimeout(() => child.kill(), 90_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    child.stdin.end(`/image ${dialog}\n`);
  });
  expect(output).toContain('From your screenshot: 0x104 / 0x0 on build-agent-7');
});

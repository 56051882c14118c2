import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, test } from 'vitest';
import { buildTeamsPackage } from '../../scripts/package-teams.js';

// The official Teams manifest schema (v1.29) says draft-04 in `$schema` but uses draft-06/07
// keywords (`const`, `if`/`then`) and none of draft-04's own forms (boolean exclusiveMaximum, `id`).
// So it is compiled by Ajv's default (draft-07) validator with the `$schema` tag removed; `uri`
// needs ajv-formats.
const schemaPath = join(import.meta.dirname, '../fixtures/schemas/teams/MicrosoftTeams.schema.json');
const { $schema: _draft04, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8'));
// ajv-formats is CommonJS (`module.exports = plugin; exports.default = plugin`): under NodeNext the
// default import is typed as the module object, so take its `default`, which is the plugin at runtime too.
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const manifestDir = join(import.meta.dirname, '../../manifest/teams');
const manifest = JSON.parse(readFileSync(join(manifestDir, 'manifest.json'), 'utf8'));

const errorsOf = (value: unknown) => (validate(value) ? [] : validate.errors);

describe('manifest/teams', () => {
  test('manifest.json is valid against the official Teams schema', () => {
    expect(errorsOf(manifest)).toEqual([]);
  });

  test('the validator does reject a broken manifest (so the check above means something)', () => {
    expect(errorsOf({ ...manifest, manifestVersion: '1.12' })).not.toEqual([]);
    expect(errorsOf({ ...manifest, bots: [{ ...manifest.bots[0], botId: 'not-a-guid' }] })).not.toEqual([]);
    expect(errorsOf({ ...manifest, unknownField: true })).not.toEqual([]);
  });

  test('a conversational bot in personal, team and group chats, with example commands', () => {
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.19);
    const [bot] = manifest.bots;
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot.isNotificationOnly).toBe(false);
    const titles = bot.commandLists.flatMap((list: { commands: { title: string }[] }) =>
      list.commands.map((c) => c.title),
    );
    expect(titles).toContain('help');
    expect(titles.some((t: string) => /0x[0-9a-f]+/i.test(t))).toBe(true);
  });

  test('color.png is 192×192 and opaque; outline.png is 32×32, white on transparent', () => {
    const color = PNG.sync.read(readFileSync(join(manifestDir, manifest.icons.color)));
    expect([color.width, color.height]).toEqual([192, 192]);
    let seeThrough = 0;
    for (let i = 3; i < color.data.length; i += 4) if (color.data[i] !== 255) seeThrough += 1;
    expect(seeThrough).toBe(0);

    const outline = PNG.sync.read(readFileSync(join(manifestDir, manifest.icons.outline)));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let white = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent += 1;
      else if (r === 255 && g === 255 && b === 255) white += 1;
    }
    expect(transparent + white).toBe(32 * 32);
    expect(transparent).toBeGreaterThan(512);
    expect(white).toBeGreaterThan(32);
  });
});

describe('npm run package:teams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teams-package-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const BOT_ID = '5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';

  test('builds a zip with the app ids from the environment, still valid against the schema', () => {
    const outFile = join(dir, 'rdp-triage-teams.zip');
    buildTeamsPackage({
      env: { MICROSOFT_APP_ID: BOT_ID, TEAMS_BOT_DOMAIN: 'bot.corp.example' },
      manifestDir,
      outFile,
    });
    const files = readZip(readFileSync(outFile));
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const packaged = JSON.parse(files.get('manifest.json')?.toString('utf8') ?? '');
    expect(packaged.id).toBe(BOT_ID);
    expect(packaged.bots[0].botId).toBe(BOT_ID);
    expect(packaged.validDomains).toContain('bot.corp.example');
    expect(errorsOf(packaged)).toEqual([]);
    expect(files.get('color.png')?.equals(readFileSync(join(manifestDir, 'color.png')))).toBe(true);
  });

  test.for([
    { desc: 'no app id', env: {}, message: /MICROSOFT_APP_ID is required/ },
    { desc: 'app id not a GUID', env: { MICROSOFT_APP_ID: 'my-bot' }, message: /must be a GUID/ },
    {
      desc: 'bad domain',
      env: { MICROSOFT_APP_ID: BOT_ID, TEAMS_BOT_DOMAIN: 'https://x/' },
      message: /TEAMS_BOT_DOMAIN/,
    },
  ])('$desc → a clear error', ({ env, message }) => {
    expect(() => buildTeamsPackage({ env, manifestDir, outFile: join(dir, 'x.zip') })).toThrow(message);
  });
});

/** Reads a zip through its central directory, checking each entry's CRC. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + size);
    const data = method === 8 ? inflateRawSync(raw) : raw;
    expect(crc32(data)).toBe(crc);
    files.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

// `npm run package:teams`: builds dist/rdp-triage-teams.zip (manifest.json + the two icons at the
// zip's root, as Teams expects) with the ids filled in from the environment:
//   MICROSOFT_APP_ID   the bot's Microsoft App ID (required) → bots[0].botId
//   TEAMS_APP_ID       the Teams app's own id (default: MICROSOFT_APP_ID) → id
//   TEAMS_BOT_DOMAIN   host name of the bot's public endpoint, added to validDomains (optional)
//   TEAMS_APP_VERSION  app version (default: the manifest's)

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const DOMAIN = /^(\*\.)?([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$/;

export interface TeamsPackageOptions {
  env: Record<string, string | undefined>;
  manifestDir: string;
  outFile: string;
}

/** Writes the package; returns the manifest it contains. Throws a sentence naming the bad variable. */
export function buildTeamsPackage({
  env,
  manifestDir,
  outFile,
}: TeamsPackageOptions): Record<string, unknown> {
  const botId = env.MICROSOFT_APP_ID?.trim();
  if (!botId) throw new Error('MICROSOFT_APP_ID is required: the Microsoft App ID of the Azure Bot resource');
  if (!GUID.test(botId)) throw new Error(`MICROSOFT_APP_ID must be a GUID, got "${botId}"`);
  const appId = env.TEAMS_APP_ID?.trim() || botId;
  if (!GUID.test(appId)) throw new Error(`TEAMS_APP_ID must be a GUID, got "${appId}"`);
  const domain = env.TEAMS_BOT_DOMAIN?.trim();
  if (domain && !DOMAIN.test(domain))
    throw new Error(`TEAMS_BOT_DOMAIN must be a host name, got "${domain}"`);
  const version = env.TEAMS_APP_VERSION?.trim();
  if (version && !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`TEAMS_APP_VERSION must be x.y.z, got "${version}"`);

  const manifest = JSON.parse(readFileSync(join(manifestDir, 'manifest.json'), 'utf8'));
  manifest.id = appId;
  for (const bot of manifest.bots) bot.botId = botId;
  // Resource-specific consent (watched channels, issue 12) is granted to the bot's own AAD app.
  if (manifest.webApplicationInfo) manifest.webApplicationInfo.id = botId;
  if (domain && !manifest.validDomains.includes(domain)) manifest.validDomains.push(domain);
  if (version) manifest.version = version;

  const files = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: manifest.icons.color as string, data: readFileSync(join(manifestDir, manifest.icons.color)) },
    { name: manifest.icons.outline as string, data: readFileSync(join(manifestDir, manifest.icons.outline)) },
  ];
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, zip(files));
  return manifest;
}

/** A plain zip (deflate, no directories): local headers, data, central directory, end record. */
function zip(files: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // DOS date 1980-01-01 00:00: fixed, so the same inputs give the same bytes.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const body = deflateRawSync(file.data);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(dosTime, 12);
    entry.writeUInt16LE(dosDate, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(file.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(entry, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outFile = join(root, 'dist', 'rdp-triage-teams.zip');
  try {
    const manifest = buildTeamsPackage({
      env: process.env,
      manifestDir: join(root, 'manifest', 'teams'),
      outFile,
    });
    process.stdout.write(
      `wrote ${outFile} (app ${manifest.id}, bot ${(manifest.bots as { botId: string }[])[0]?.botId})\n`,
    );
  } catch (error) {
    process.stderr.write(`package:teams: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

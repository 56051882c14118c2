/**
 * Settings of an `.rdp` file pasted into (or attached to) a message: `full address:s:host:port`,
 * `gatewayhostname:s:…`, `server port:i:3390`, `authentication level:i:2`, … One `name:type:value`
 * line each; `s` string, `i` integer, `b` binary (learn.microsoft.com "Supported RDP properties").
 */
export type RdpFileSettings = Record<string, string | number>;

const SETTING_LINE = /^[ \t]*([a-z][a-z0-9 ]{1,48}[a-z0-9]):([sib]):([^\r\n]{0,1024})$/gim;
// Settings that only an .rdp file has; one of them makes the lines a file rather than chat text.
const FILE_MARKERS = new Set([
  'full address',
  'alternate full address',
  'server port',
  'gatewayhostname',
  'gatewayusagemethod',
  'authentication level',
  'enablecredsspsupport',
  'screen mode id',
  'prompt for credentials',
  'gatewaycredentialssource',
]);
const MAX_SETTINGS = 200;

/** The file's settings, lower-case names; null when the text holds no .rdp file. Never returns passwords. */
export function parseRdpFile(text: string): RdpFileSettings | null {
  if (!text.includes(':s:') && !text.includes(':i:')) return null;
  const settings: RdpFileSettings = {};
  let marked = false;
  let count = 0;
  for (const match of text.matchAll(SETTING_LINE)) {
    const name = (match[1] ?? '').toLowerCase().replace(/\s+/g, ' ');
    const type = (match[2] ?? '').toLowerCase();
    const raw = (match[3] ?? '').trim();
    // Saved credentials ("password 51:b:…") are secrets: never copied into the Understanding.
    if (type === 'b' || name.includes('password')) continue;
    if (FILE_MARKERS.has(name)) marked = true;
    if (type === 'i') {
      const value = Number.parseInt(raw, 10);
      if (Number.isFinite(value)) settings[name] = value;
    } else {
      settings[name] = raw;
    }
    count += 1;
    if (count >= MAX_SETTINGS) break;
  }
  return marked ? settings : null;
}

import { deadlineSignal } from '../../deadline-signal.js';
import { parseRdpFile, type RdpFileSettings } from '../../intents/rdp-file.js';
import type { AttachedFile, DownloadResult, ImageLimits } from './images.js';

/**
 * `.rdp` files attached to a message (the file the user double-clicked): downloaded through the
 * surface's own `AttachedFile` (its credentials, the conversation's signal plus a deadline),
 * decoded, and reduced to the connection settings the understanding reads — so an attached file
 * is understood exactly like the same lines pasted into the message. Saved credentials
 * (`password 51:b:…`) and every other binary setting never leave this module.
 */

/** 64 KiB: an mstsc file is 2–5 kB; anything far larger is not a connection file. */
export const MAX_RDP_FILE_BYTES = 64 * 1024;
const RDP_FILE_DEADLINE_MS = 15_000;
// The download port takes image limits; for a text file only the byte bound applies.
const RDP_FILE_LIMITS: ImageLimits = { maxBytes: MAX_RDP_FILE_BYTES, maxWidth: 0, maxHeight: 0 };
const RDP_MIME_TYPES = new Set(['application/x-rdp', 'application/rdp']);

// The settings that say where and how the client connects (learn.microsoft.com "Supported RDP
// properties"). The rest of a saved file (window position, redirection, kdcproxyname,
// loadbalanceinfo "tsv://MS Terminal Services Plugin.1.Collection", username) is not about the
// failure and would read as extra hosts.
const CONNECTION_SETTINGS = new Set([
  'full address',
  'alternate full address',
  'server port',
  'gatewayhostname',
  'gatewayusagemethod',
  'gatewayprofileusagemethod',
  'gatewaycredentialssource',
  'authentication level',
  'enablecredsspsupport',
  'negotiate security layer',
  'prompt for credentials',
  'promptcredentialonce',
  'enablerdsaadauth',
  'targetisaadjoined',
  'use redirection server name',
]);

export type RdpFileProblem =
  | { problem: 'empty' }
  | { problem: 'too-large'; bytes: number }
  | { problem: 'not-text' }
  | { problem: 'no-settings' };

export interface AttachedRdpFiles {
  /** The connection settings as `name:type:value` lines, to be read with the message; '' when none. */
  settings: string;
  /** One line per .rdp file: what was read, or why it could not be. */
  notes: string[];
  /** The attachments that are not .rdp files (screenshots), untouched. */
  others: AttachedFile[];
}

export function isRdpAttachment(file: { name: string; mimetype?: string }): boolean {
  return /\.rdp$/i.test(file.name.trim()) || RDP_MIME_TYPES.has(file.mimetype?.toLowerCase() ?? '');
}

/**
 * Reads the first `.rdp` attachment of a message. Never throws for a bad file (each problem is a
 * note); only the caller's own `signal` aborting ends it with that signal's reason.
 */
export async function readRdpAttachments(
  files: readonly AttachedFile[],
  signal: AbortSignal,
  deadlineMs = RDP_FILE_DEADLINE_MS,
): Promise<AttachedRdpFiles> {
  const rdpFiles = files.filter(isRdpAttachment);
  const others = files.filter((file) => !isRdpAttachment(file));
  const [file, ...more] = rdpFiles;
  if (!file) return { settings: '', notes: [], others };
  const name = `"${file.name}"`;
  const notes: string[] = [];
  const downloaded = await downloadWithDeadline(file, signal, deadlineMs);
  const decoded = 'problem' in downloaded ? downloaded : decodeRdpFile(downloaded.bytes);
  let settings = '';
  if ('problem' in decoded) notes.push(describeRdpFileProblem(decoded, name));
  else {
    settings = connectionLines(decoded.settings);
    notes.push(describeRdpFile(decoded.settings, name));
  }
  if (more.length > 0) notes.push(`I read one .rdp file per message; ${more.length} more not read.`);
  return { settings, notes, others };
}

/**
 * Bytes of an .rdp file → its settings. mstsc saves UTF-16LE with a byte-order mark; editors and
 * other clients write UTF-8 (with or without BOM) or the Windows ANSI code page. A file with NUL
 * bytes or control characters outside UTF-16 is binary, not a connection file.
 */
export function decodeRdpFile(
  bytes: Uint8Array,
): { text: string; settings: RdpFileSettings } | RdpFileProblem {
  if (bytes.length === 0) return { problem: 'empty' };
  if (bytes.length > MAX_RDP_FILE_BYTES) return { problem: 'too-large', bytes: bytes.length };
  const text = decodeText(bytes);
  if (text === null) return { problem: 'not-text' };
  const settings = parseRdpFile(text);
  return settings === null ? { problem: 'no-settings' } : { text, settings };
}

function decodeText(bytes: Uint8Array): string | null {
  const [b0, b1, b2] = bytes;
  let text: string;
  try {
    if (b0 === 0xff && b1 === 0xfe) text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    else if (b0 === 0xfe && b1 === 0xff) text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    else if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf)
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    else if (looksLikeUtf16le(bytes)) text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    else if (bytes.includes(0)) return null;
    else {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        // Not UTF-8: a file saved by Notepad in the ANSI code page (é in a user name).
        text = new TextDecoder('windows-1252').decode(bytes);
      }
    }
  } catch {
    return null;
  }
  // TextDecoder drops the BOM; controls other than tab, CR, LF (and a stray NUL) mean binary.
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) controls++;
  }
  return controls > 0 ? null : text;
}

/** UTF-16LE without a BOM: ASCII text has a zero in every odd byte. */
function looksLikeUtf16le(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return false;
  let zeros = 0;
  const pairs = Math.min(bytes.length / 2, 256);
  for (let i = 0; i < pairs; i++) if (bytes[i * 2 + 1] === 0 && bytes[i * 2] !== 0) zeros++;
  return zeros >= pairs * 0.9;
}

async function downloadWithDeadline(
  file: AttachedFile,
  signal: AbortSignal,
  deadlineMs: number,
): Promise<DownloadResult> {
  const deadline = deadlineSignal(deadlineMs);
  try {
    return await file.download({ signal: AbortSignal.any([signal, deadline]), limits: RDP_FILE_LIMITS });
  } catch (error) {
    // Our deadline is a note; the caller's own abort (shutdown, a newer triage) goes back to it.
    if (signal.aborted) throw signal.reason;
    if (deadline.aborted) return { problem: 'timeout', seconds: Math.ceil(deadlineMs / 1000) };
    return { problem: 'download-failed', detail: error instanceof Error ? error.message : String(error) };
  }
}

/** The connection settings as lines the understanding reads like pasted text (integers as `:i:`). */
function connectionLines(settings: RdpFileSettings): string {
  return Object.entries(settings)
    .filter(([name]) => CONNECTION_SETTINGS.has(name))
    .map(([name, value]) => `${name}:${typeof value === 'number' ? 'i' : 's'}:${value}`)
    .join('\n');
}

/** "Read settings from "app.rdp": srv-fin-02:3390 via rdg.corp.example (gateway in use)". */
function describeRdpFile(settings: RdpFileSettings, name: string): string {
  const address = settings['full address'] ?? settings['alternate full address'];
  const gateway = settings.gatewayhostname;
  const usage = settings.gatewayusagemethod;
  const parts: string[] = [];
  if (typeof address === 'string' && address.trim() !== '') parts.push(shorten(address.trim()));
  if (typeof gateway === 'string' && gateway.trim() !== '')
    // gatewayusagemethod 0 and 4: the gateway is set but not used (rdp-facts.md, GatewayUsageMethod).
    parts.push(
      usage === 0 || usage === 4
        ? `(gateway ${shorten(gateway.trim())} not used)`
        : `via ${shorten(gateway.trim())}`,
    );
  if (typeof settings['authentication level'] === 'number')
    parts.push(`authentication level ${settings['authentication level']}`);
  return parts.length > 0
    ? `Read settings from ${name}: ${parts.join(', ')}`
    : `Read settings from ${name}, but it names no computer (no "full address").`;
}

function shorten(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

const KIB = 1024;

/** The sentence a user sees when an attached .rdp file cannot be used. */
export function describeRdpFileProblem(problem: RdpFileProblem | DownloadResult, name: string): string {
  if (!('problem' in problem)) return '';
  switch (problem.problem) {
    case 'empty':
      return `${name} is empty (0 bytes), so there were no settings to read.`;
    case 'too-large':
      return `${name} is ${Math.ceil(problem.bytes / KIB)} KiB; a Remote Desktop connection file is a few KiB (I read up to ${MAX_RDP_FILE_BYTES / KIB} KiB), so I did not read it.`;
    case 'not-text':
      return `${name} is not a text file, so it is not a Remote Desktop connection file I can read. Open it in Notepad and paste its lines instead.`;
    case 'no-settings':
      return `${name} holds no Remote Desktop settings ("full address:s:…", "gatewayhostname:s:…"), so I read nothing from it.`;
    case 'download-failed':
      return `I could not download ${name} (${problem.detail}). Paste its "full address" and "gatewayhostname" lines instead.`;
    case 'timeout':
      return `Downloading ${name} took longer than ${problem.seconds} s, so I stopped.`;
    default:
      return `I could not read ${name}.`;
  }
}

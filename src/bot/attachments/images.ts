import { open } from 'node:fs/promises';

/**
 * Screenshots from chat: size limits, type sniffing by magic bytes (never the file name or the
 * platform's MIME type), dimensions read from the header BEFORE anything decodes the pixels —
 * a 20,000 × 20,000 PNG is 30 kB on the wire and 1.6 GB decoded — and a sentence for each way
 * an upload can be unusable.
 */

export interface ImageLimits {
  maxBytes: number;
  maxWidth: number;
  maxHeight: number;
}

/** 10 MB and 4,096 px a side: a 4K screenshot or a 12 MP phone photo (4,032 × 3,024) fit. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxWidth: 4096,
  maxHeight: 4096,
};

export type ImageKind = 'png' | 'jpeg';

export interface SniffedImage {
  kind: ImageKind;
  width: number;
  height: number;
}

export type ImageProblem =
  | { problem: 'empty' }
  | { problem: 'too-large'; bytes: number; maxBytes: number }
  | { problem: 'unsupported'; format: string }
  | { problem: 'not-an-image' }
  | { problem: 'corrupt'; detail: string }
  | { problem: 'too-many-pixels'; width: number; height: number; limits: ImageLimits }
  | { problem: 'download-failed'; detail: string }
  | { problem: 'no-text' }
  | { problem: 'timeout'; seconds: number }
  | { problem: 'busy' };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Formats people attach that are not PNG/JPEG, by their first bytes. */
const OTHER_FORMATS: Array<{ name: string; test: (b: Uint8Array) => boolean }> = [
  { name: 'GIF', test: (b) => ascii(b, 0, 4) === 'GIF8' },
  { name: 'WebP', test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP' },
  { name: 'BMP', test: (b) => ascii(b, 0, 2) === 'BM' },
  { name: 'TIFF', test: (b) => ascii(b, 0, 4) === 'II*\u0000' || ascii(b, 0, 4) === 'MM\u0000*' },
  { name: 'HEIC', test: (b) => ascii(b, 4, 4) === 'ftyp' && /^(heic|heix|mif1|hevc)$/.test(ascii(b, 8, 4)) },
  { name: 'PDF', test: (b) => ascii(b, 0, 5) === '%PDF-' },
  { name: 'ZIP', test: (b) => ascii(b, 0, 4) === 'PK\u0003\u0004' },
];

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** Identifies a PNG or JPEG by its bytes and reads its dimensions from the header only. */
export function sniffImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): SniffedImage | ImageProblem {
  if (bytes.length === 0) return { problem: 'empty' };
  if (bytes.length > limits.maxBytes)
    return { problem: 'too-large', bytes: bytes.length, maxBytes: limits.maxBytes };
  const header = PNG_SIGNATURE.every((value, index) => bytes[index] === value)
    ? readPngHeader(bytes)
    : bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
      ? readJpegHeader(bytes)
      : null;
  if (header === null) {
    const other = OTHER_FORMATS.find((format) => format.test(bytes));
    return other ? { problem: 'unsupported', format: other.name } : { problem: 'not-an-image' };
  }
  if ('problem' in header) return header;
  if (header.width > limits.maxWidth || header.height > limits.maxHeight)
    return { problem: 'too-many-pixels', width: header.width, height: header.height, limits };
  return header;
}

/** PNG: signature, then the IHDR chunk with width and height as big-endian u32 (RFC 2083 §4.1.1). */
function readPngHeader(bytes: Uint8Array): SniffedImage | ImageProblem {
  if (bytes.length < 33 || ascii(bytes, 12, 4) !== 'IHDR')
    return { problem: 'corrupt', detail: 'PNG without an IHDR header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) return { problem: 'corrupt', detail: 'PNG of zero size' };
  return { kind: 'png', width, height };
}

/**
 * JPEG: walk the marker segments to the first SOFn frame header, which holds height and width
 * as big-endian u16 (ITU T.81 B.2.2). SOF markers are C0–CF except C4 (DHT), C8 and CC (DAC).
 */
function readJpegHeader(bytes: Uint8Array): SniffedImage | ImageProblem {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return { problem: 'corrupt', detail: 'JPEG marker expected' };
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any frame
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    if (length < 2) return { problem: 'corrupt', detail: 'JPEG segment length' };
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (offset + 9 > bytes.length) break;
      const height = ((bytes[offset + 5] ?? 0) << 8) | (bytes[offset + 6] ?? 0);
      const width = ((bytes[offset + 7] ?? 0) << 8) | (bytes[offset + 8] ?? 0);
      if (width === 0 || height === 0) return { problem: 'corrupt', detail: 'JPEG of zero size' };
      return { kind: 'jpeg', width, height };
    }
    offset += 2 + length;
  }
  return { problem: 'corrupt', detail: 'JPEG without a frame header' };
}

/**
 * Reads a local image file (CLI, console `/image`) without loading more than the limit: the size
 * is checked on the open file first.
 */
export async function readImageFile(
  path: string,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<{ bytes: Uint8Array } | ImageProblem | { problem: 'unreadable'; detail: string }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return { problem: 'unreadable', detail: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
  try {
    const { size, isFile } = await handle.stat().then((stat) => ({ size: stat.size, isFile: stat.isFile() }));
    if (!isFile) return { problem: 'unreadable', detail: 'not a regular file' };
    if (size > limits.maxBytes) return { problem: 'too-large', bytes: size, maxBytes: limits.maxBytes };
    return { bytes: new Uint8Array(await handle.readFile()) };
  } finally {
    await handle.close();
  }
}

/**
 * Downloads an attachment with the platform's credentials, refusing a declared or actual body
 * over `maxBytes` without reading the rest. `fetch` is injected (tests, proxies).
 */
export async function downloadImage(
  url: string,
  {
    headers = {},
    signal,
    limits = DEFAULT_IMAGE_LIMITS,
    fetch = globalThis.fetch,
  }: {
    headers?: Record<string, string>;
    signal: AbortSignal;
    limits?: ImageLimits;
    fetch?: typeof globalThis.fetch;
  },
): Promise<{ bytes: Uint8Array } | ImageProblem> {
  let response: Response;
  try {
    // Slack answers a file URL without a valid token with a 302 to an HTML login page: follow
    // redirects, and the sniffing below turns HTML into "not an image" rather than a crash.
    response = await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { problem: 'download-failed', detail: error instanceof Error ? error.message : String(error) };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { problem: 'download-failed', detail: `HTTP ${response.status}` };
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    return { problem: 'too-large', bytes: declared, maxBytes: limits.maxBytes };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return { problem: 'empty' };
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        await reader.cancel();
        return { problem: 'too-large', bytes: total, maxBytes: limits.maxBytes };
      }
      chunks.push(value);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { problem: 'download-failed', detail: error instanceof Error ? error.message : String(error) };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes };
}

const MB = 1024 * 1024;

/** The sentence a user sees for each problem. */
export function describeImageProblem(
  problem: ImageProblem | { problem: 'unreadable'; detail: string },
  name = 'the image',
): string {
  const tail =
    ' Paste the error text instead, e.g. "Error code: 0x904, Extended error code: 0x7 on srv-fin-02".';
  switch (problem.problem) {
    case 'empty':
      return `${name} is empty (0 bytes), so I could not read it.${tail}`;
    case 'too-large':
      return `${name} is ${(problem.bytes / MB).toFixed(1)} MB; I read screenshots up to ${Math.round(problem.maxBytes / MB)} MB. Crop it to the error dialog and send it again.`;
    case 'unsupported':
      return `${name} is a ${problem.format} file; I read PNG and JPEG screenshots only. Take a screenshot (Win+Shift+S) and paste that.`;
    case 'not-an-image':
      return `${name} is not a picture (not PNG or JPEG). Send a screenshot of the error dialog, or paste its text.`;
    case 'corrupt':
      return `${name} looks like a picture but is damaged (${problem.detail}), so I could not read it. Take the screenshot again and resend it.${tail}`;
    case 'too-many-pixels':
      return `${name} is ${problem.width} × ${problem.height} pixels; I read images up to ${problem.limits.maxWidth} × ${problem.limits.maxHeight}. Crop it to the error dialog and send it again.`;
    case 'download-failed':
      return `I could not download ${name} (${problem.detail}).${tail}`;
    case 'no-text':
      return `I could not find any text in ${name}. Send a screenshot of the Remote Desktop error dialog with "Show details" opened, or paste its text.`;
    case 'timeout':
      return `Reading ${name} took longer than ${problem.seconds} s, so I stopped.${tail}`;
    case 'busy':
      return `I am reading other screenshots right now; send ${name} again in a minute.${tail}`;
    case 'unreadable':
      return `I could not open ${name} (${problem.detail}).`;
  }
}

/** A fetched attachment or why it could not be fetched. */
export type DownloadResult = { bytes: Uint8Array } | ImageProblem;

/** Any attached file as the conversation sees it; the surface fetches it with its own credentials. */
export interface AttachedFile {
  name: string;
  /** The platform's MIME type, when it sent one (Slack `mimetype`, Teams `contentType`); a hint only. */
  mimetype?: string;
  download(options: { signal: AbortSignal; limits: ImageLimits }): Promise<DownloadResult>;
}

/** The OCR reader as this module needs it (src/ocr/ocr-reader.ts implements it). */
export interface ImageTextReader {
  read(
    image: { bytes: Uint8Array; kind: ImageKind },
    options: { signal: AbortSignal },
  ): Promise<
    | { status: 'read'; text: string }
    | { status: 'no-text' | 'timeout'; ms: number }
    | { status: 'undecodable' | 'failed'; detail: string }
    | { status: 'busy' }
  >;
}

export type ScreenshotReading = { text: string; images: number } | { problem: string };

/** At most this many attachments of one message are read. */
const MAX_IMAGES_PER_MESSAGE = 3;

/** What one attached file gave: its text, or why it gave none. */
type FileReading = { text: string } | { problem: ImageProblem };

/** Readings of files already read, so the same attachment is never OCR'd twice (watch decision, then answer). */
export type ReadingCache = WeakMap<AttachedFile, Promise<FileReading>>;

/**
 * Downloads, checks and reads the attached screenshots of one message. Returns the OCR text of
 * every readable image, or — when none was — the sentence for the first problem.
 */
export async function readScreenshots(
  files: readonly AttachedFile[],
  {
    ocr,
    signal,
    limits = DEFAULT_IMAGE_LIMITS,
    deadlineSeconds = 45,
    cache,
  }: {
    ocr: ImageTextReader;
    signal: AbortSignal;
    limits?: ImageLimits;
    deadlineSeconds?: number;
    cache?: ReadingCache;
  },
): Promise<ScreenshotReading> {
  const texts: string[] = [];
  let firstProblem: string | null = null;
  for (const file of files.slice(0, MAX_IMAGES_PER_MESSAGE)) {
    let reading = cache?.get(file);
    if (!reading) {
      reading = readFile(file, { ocr, signal, limits, deadlineSeconds });
      cache?.set(file, reading);
    }
    const read = await reading;
    // A busy reader or a deadline is no answer about the file: the next reader tries again.
    if ('problem' in read && (read.problem.problem === 'busy' || read.problem.problem === 'timeout'))
      cache?.delete(file);
    if ('text' in read) texts.push(read.text);
    else firstProblem ??= describeImageProblem(read.problem, `"${file.name}"`);
  }
  if (texts.length > 0) return { text: texts.join('\n\n'), images: texts.length };
  return { problem: firstProblem ?? 'There was no file to read.' };
}

/** A screenshot reader that reads each attached file once, however many times it is asked. */
export function createScreenshotReader(ocr: ImageTextReader) {
  const cache: ReadingCache = new WeakMap();
  return (files: readonly AttachedFile[], signal: AbortSignal) =>
    readScreenshots(files, { ocr, signal, cache });
}

async function readFile(
  file: AttachedFile,
  {
    ocr,
    signal,
    limits,
    deadlineSeconds,
  }: { ocr: ImageTextReader; signal: AbortSignal; limits: ImageLimits; deadlineSeconds: number },
): Promise<FileReading> {
  const downloaded = await file.download({ signal, limits });
  if ('problem' in downloaded) return { problem: downloaded };
  const sniffed = sniffImage(downloaded.bytes, limits);
  if ('problem' in sniffed) return { problem: sniffed };
  const outcome = await ocr.read({ bytes: downloaded.bytes, kind: sniffed.kind }, { signal });
  switch (outcome.status) {
    case 'read':
      return { text: outcome.text };
    case 'no-text':
      return { problem: { problem: 'no-text' } };
    case 'timeout':
      return { problem: { problem: 'timeout', seconds: deadlineSeconds } };
    case 'busy':
      return { problem: { problem: 'busy' } };
    case 'undecodable':
      return { problem: { problem: 'corrupt', detail: outcome.detail } };
    case 'failed':
      return { problem: { problem: 'download-failed', detail: `OCR failed: ${outcome.detail}` } };
  }
}

/** A local file as an attachment (CLI `--image`, console `/image`). */
export function fileAttachment(path: string): AttachedFile {
  return {
    name: path.split(/[\\/]/).pop() ?? path,
    download: async ({ limits }) => {
      const read = await readImageFile(path, limits);
      if ('problem' in read && read.problem === 'unreadable')
        return { problem: 'download-failed', detail: read.detail };
      return read as DownloadResult;
    },
  };
}

/**
 * What the reply says it read, so the user can check it: "From your screenshot: 0x904 / 0x7 on
 * srv-fin-02". With no code or host, the first words read stand in.
 */
export function describeScreenshot(
  reading: { codes: Array<{ value: string }>; hosts: Array<{ name: string }>; gateway: string | null },
  text: string,
): string {
  const codes = reading.codes.map((code) => code.value).join(' / ');
  const hosts = reading.hosts.map((host) => host.name).join(', ');
  const parts = [codes, hosts && `on ${hosts}`, reading.gateway && `via ${reading.gateway}`].filter(Boolean);
  if (parts.length > 0) return `From your screenshot: ${parts.join(' ')}`;
  const words = text.replace(/\s+/g, ' ').trim();
  return `From your screenshot I read: "${words.length > 80 ? `${words.slice(0, 80)}…` : words}"`;
}

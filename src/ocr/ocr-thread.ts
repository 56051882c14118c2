import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createWorker, type Worker as TesseractWorker } from 'tesseract.js';
import { type DecodedGrey, decodeGrey, toPgm } from './prepare-image.js';
import type { ThreadReply, ThreadRequest } from './thread-messages.js';

// The OCR worker thread: decoding, grey/invert/upscale and Tesseract all run here, so a 12 MP
// photo never blocks the chat's event loop. Tesseract.js starts its own worker thread beneath
// this one; terminating this thread ends that one too.

const require = createRequire(import.meta.url);
// @tesseract.js-data/eng ships `4.0.0_best_int` (LSTM-only, integer "best" model): the data the
// LSTM-only core reads. A local directory path makes tesseract.js read the file, never fetch it.
const LANG_PATH = join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

/**
 * Text lines shorter than this (median, px) are read again at 2×: 100 % scaled UI text (12 px
 * font) gives 12 px lines and loses digits (0x904 → "Oxg04"); 125 % (15 px) and 150 % (17 px)
 * read right as they are (measured on the generated dialogs, scripts/eval-ocr.ts).
 */
const SMALL_LINE_PX = 14;
/** Above this many pixels a second, 4× larger pass costs more than it can win. */
const UPSCALE_MAX_PIXELS = 2_500_000;

let tesseract: Promise<TesseractWorker> | null = null;

function engine(): Promise<TesseractWorker> {
  // cacheMethod 'none': do not write eng.traineddata into the working directory.
  tesseract ??= createWorker('eng', 1, { langPath: LANG_PATH, cacheMethod: 'none', gzip: true });
  return tesseract;
}

async function handle(request: ThreadRequest): Promise<ThreadReply> {
  if (request.type === 'warm') {
    await engine();
    return { type: 'ready', id: request.id };
  }
  const started = performance.now();
  let image: DecodedGrey;
  try {
    image = decodeGrey(request.bytes, request.kind, request.maxPixels);
  } catch (error) {
    return {
      type: 'undecodable',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  let reading = await recognize(image, 1);
  if (
    reading.lineHeight > 0 &&
    reading.lineHeight < SMALL_LINE_PX &&
    image.width * image.height <= UPSCALE_MAX_PIXELS
  ) {
    reading = await recognize(image, 2);
  }
  return {
    type: 'text',
    id: request.id,
    text: reading.text,
    confidence: reading.confidence,
    ms: Math.round(performance.now() - started),
    inverted: image.inverted,
    scale: reading.scale,
    lineHeight: reading.lineHeight,
  };
}

async function recognize(image: DecodedGrey, scale: 1 | 2) {
  const worker = await engine();
  const { pgm } = toPgm(image, scale);
  const { data } = await worker.recognize(
    Buffer.from(pgm.buffer, pgm.byteOffset, pgm.byteLength),
    {},
    {
      text: true,
      blocks: true,
    },
  );
  const heights = (data.blocks ?? [])
    .flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines))
    .filter((line) => line.confidence > 50)
    .map((line) => (line.bbox.y1 - line.bbox.y0) / scale)
    .sort((a, b) => a - b);
  const lineHeight = heights[Math.floor(heights.length / 2)] ?? 0;
  return { text: data.text, confidence: data.confidence, lineHeight, scale };
}

parentPort?.on('message', (request: ThreadRequest) => {
  handle(request).then(
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) =>
      parentPort?.postMessage({
        type: 'failed',
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      } satisfies ThreadReply),
  );
});

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { deadlineSignal } from '../deadline-signal.js';
import { raceAbort } from '../race-abort.js';
import { cleanOcrText, countWords } from './clean-ocr-text.js';
import type { ThreadReply, ThreadRequest } from './thread-messages.js';

/** What reading one image produced. Expected outcomes are values; only a caller's abort rejects. */
export type OcrOutcome =
  | { status: 'read'; text: string; confidence: number; ms: number }
  | { status: 'no-text'; ms: number }
  | { status: 'undecodable'; detail: string }
  | { status: 'timeout'; ms: number }
  | { status: 'busy' }
  | { status: 'failed'; detail: string };

export interface OcrImage {
  bytes: Uint8Array;
  kind: 'png' | 'jpeg';
}

export interface OcrReader {
  /** Reads the text of one image in the OCR thread, within the reader's deadline. */
  read(image: OcrImage, options: { signal: AbortSignal }): Promise<OcrOutcome>;
  /** Starts the thread and loads the language data ahead of the first image. */
  warm(options: { signal: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

export interface OcrReaderOptions {
  /**
   * Per image, including a cold start of the thread (~1 s idle; several seconds on a loaded
   * 2-core box). Normal reads take ~0.5–2 s; the deadline only ends pathological ones.
   */
  deadlineMs?: number;
  /** Images waiting behind the one being read; more get `busy`. */
  maxQueued?: number;
  /** Decoder guard behind the header check in bot/images.ts. */
  maxPixels?: number;
}

/** Fewer words than this (after cleaning) is "no text" — a photo, an icon, a blank window. */
const MIN_WORDS = 3;
/** Tesseract's mean confidence below this on a handful of words is noise, not text. */
const MIN_CONFIDENCE = 35;

/**
 * One OCR worker thread, started lazily and reused; images are read one at a time. A read that
 * passes its deadline or whose signal aborts terminates the thread (Tesseract cannot be
 * interrupted mid-page), and the next read starts a fresh one.
 */
export function createOcrReader({
  deadlineMs = 45_000,
  maxQueued = 4,
  maxPixels = 4096 * 4096,
}: OcrReaderOptions = {}): OcrReader {
  let thread: Worker | null = null;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let waiting = 0;

  const spawn = (): Worker => {
    // A small young generation makes the thread collect each image's decode buffers promptly
    // instead of growing its heap (RSS bar: 300 MB for the whole bot with OCR loaded).
    const worker = new Worker(bootstrapSource(), {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
    });
    // A thread with nothing to do must not keep the CLI process alive.
    worker.unref();
    worker.on('error', () => {});
    worker.once('exit', () => {
      if (thread === worker) thread = null;
    });
    return worker;
  };

  /** Sends one request and waits for its reply, the thread's death, or the signal. */
  const exchange = async (request: ThreadRequest, signal: AbortSignal): Promise<ThreadReply> => {
    thread ??= spawn();
    const worker = thread;
    const local = new AbortController();
    const onAbort = () => local.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    // Keep the process alive while this request is in flight, and only then.
    worker.ref();
    try {
      const reply = (async () => {
        while (true) {
          const [message] = (await once(worker, 'message', { signal: local.signal })) as [ThreadReply];
          if (message.id === request.id) return message;
        }
      })();
      const died = once(worker, 'exit', { signal: local.signal }).then(
        ([code]): ThreadReply => ({
          type: 'failed',
          id: request.id,
          message: `OCR thread exited (${String(code)})`,
        }),
      );
      const failed = once(worker, 'error', { signal: local.signal }).then(
        ([error]): ThreadReply => ({
          type: 'failed',
          id: request.id,
          message: error instanceof Error ? error.message : String(error),
        }),
      );
      worker.postMessage(request);
      if (signal.aborted) throw signal.reason;
      return await Promise.race([reply, died, failed]);
    } catch (error) {
      if (signal.aborted) {
        // Tesseract cannot stop mid-page: end the thread so no work outlives the caller.
        if (thread === worker) thread = null;
        await worker.terminate();
        throw signal.reason;
      }
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      local.abort();
      worker.unref();
    }
  };

  /** Runs jobs one after another; a job's deadline starts when it is queued. */
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const result = queue.then(job, job);
    queue = result.catch(() => {});
    return result;
  };

  return {
    async read(image, { signal }) {
      if (waiting > maxQueued) return { status: 'busy' };
      const started = performance.now();
      const deadline = deadlineSignal(deadlineMs);
      const combined = AbortSignal.any([signal, deadline]);
      waiting += 1;
      try {
        // Waiting behind another image counts against this one's deadline too.
        return await raceAbort(
          serial(async (): Promise<OcrOutcome> => {
            combined.throwIfAborted();
            const reply = await exchange(
              { type: 'read', id: nextId++, bytes: image.bytes, kind: image.kind, maxPixels },
              combined,
            );
            return toOutcome(reply, performance.now() - started);
          }),
          combined,
        );
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (deadline.aborted) return { status: 'timeout', ms: Math.round(performance.now() - started) };
        return { status: 'failed', detail: error instanceof Error ? error.message : String(error) };
      } finally {
        waiting -= 1;
      }
    },
    async warm({ signal }) {
      await serial(() => exchange({ type: 'warm', id: nextId++ }, signal));
    },
    async close() {
      const worker = thread;
      thread = null;
      if (worker) await worker.terminate();
    },
  };
}

function toOutcome(reply: ThreadReply, elapsed: number): OcrOutcome {
  const ms = Math.round(elapsed);
  switch (reply.type) {
    case 'text': {
      const text = cleanOcrText(reply.text);
      const words = countWords(text);
      if (words < MIN_WORDS || (words < 8 && reply.confidence < MIN_CONFIDENCE))
        return { status: 'no-text', ms };
      return { status: 'read', text, confidence: reply.confidence, ms };
    }
    case 'undecodable':
      return { status: 'undecodable', detail: reply.message };
    case 'failed':
      return { status: 'failed', detail: reply.message };
    case 'ready':
      return { status: 'failed', detail: 'unexpected reply from the OCR thread' };
  }
}

/**
 * The thread's entry. Compiled (dist/), the thread imports ocr-thread.js directly. Run from the
 * TypeScript sources (tests, scripts under tsx) it registers tsx's loader first: a worker thread
 * does not inherit the hooks registered on the main thread.
 */
function bootstrapSource(): string {
  if (!import.meta.url.endsWith('.ts'))
    return `import(${JSON.stringify(new URL('./ocr-thread.js', import.meta.url).href)});`;
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./ocr-thread.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

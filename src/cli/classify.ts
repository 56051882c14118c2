import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { headline } from '../bot/render/text.js';
import { decideUnasked } from '../bot/watch/policy.js';
import { createCodeBook } from '../fixes/code-book.js';
import { understand } from '../intents/understand.js';
import type { Understanding } from '../report/understanding.js';

// `rdp-triage classify`: loaded only when that command runs (src/cli/classify-command.ts).

/** `classify TEXT [--json]`: the Understanding and what a watched channel would do with it. */
export function classifyText(text: string, json: boolean): void {
  const understanding = understandText(text);
  const unasked = unaskedDecision(understanding);
  process.stdout.write(
    json
      ? `${JSON.stringify({ ...understanding, unasked })}\n`
      : `${headline(understanding)}\nintent: ${understanding.intent} (confidence ${understanding.confidence.toFixed(2)})\nin a watched channel: ${unasked.answer ? 'answers unasked' : 'stays quiet'}: ${unasked.reason}\n`,
  );
}

/** `classify --jsonl`: one message per input line (plain text or {"id","text"}), one JSON line out. */
export async function classifyLines(input: Readable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const { id, text } = parseJsonlLine(line, lineNumber);
    const understanding = understandText(text);
    const output = `${JSON.stringify({ ...(id !== undefined && { id }), ...understanding, unasked: unaskedDecision(understanding) })}\n`;
    if (!process.stdout.write(output)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

/** `classify --image`: OCR the screenshot, then classify its text (plus any typed words). */
export async function classifyImage(path: string, typed: string, json: boolean): Promise<void> {
  // The OCR engine and image decoders load only for --image.
  const { describeScreenshot, fileAttachment, readScreenshots } = await import(
    '../bot/attachments/images.js'
  );
  const { createOcrReader } = await import('../ocr/ocr-reader.js');
  const ocr = createOcrReader();
  try {
    const reading = await readScreenshots([fileAttachment(path)], {
      ocr,
      signal: new AbortController().signal,
    });
    if ('problem' in reading) {
      process.stderr.write(`rdp-triage: ${reading.problem}\n`);
      process.exitCode = 1;
      return;
    }
    const text = typed.trim() === '' ? reading.text : `${typed}\n${reading.text}`;
    const understanding = understandText(text);
    process.stdout.write(
      json
        ? `${JSON.stringify({ ...understanding, ocrText: reading.text })}\n`
        : `${describeScreenshot(understanding, reading.text)}\n${headline(understanding)}\nintent: ${understanding.intent} (confidence ${understanding.confidence.toFixed(2)})\n--- text read from ${path} ---\n${reading.text}\n`,
    );
  } finally {
    await ocr.close();
  }
}

let codeBook: ReturnType<typeof createCodeBook> | undefined;

/** understand() with the knowledge base's code names and roles (loaded on first use). */
export function understandText(text: string): Understanding {
  codeBook ??= createCodeBook();
  return understand(text, { codeBook });
}

/**
 * The watch decision for this text as a new top-level message nobody has answered yet, at the
 * default watch.minConfidence: what the bot would do with it in a watched channel.
 */
function unaskedDecision(understanding: Understanding): { answer: boolean; reason: string } {
  const decision = decideUnasked(understanding, { topLevel: true, answeredByOthers: false });
  return { answer: decision.answer, reason: decision.reason };
}

function parseJsonlLine(line: string, lineNumber: number): { id?: unknown; text: string } {
  if (line.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && 'text' in parsed && typeof parsed.text === 'string') {
        return { id: 'id' in parsed ? parsed.id : lineNumber, text: parsed.text };
      }
    } catch {
      // Not JSON after all: a message that starts with "{" is classified as plain text.
    }
  }
  return { id: lineNumber, text: line };
}

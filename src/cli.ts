import { createInterface } from 'node:readline';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { assembleBot } from './bot/assemble.js';
import { runConsoleChat } from './bot/console.js';
import type { Reply, Surface } from './bot/conversation.js';
import { describeScreenshot, fileAttachment, readScreenshots } from './bot/images.js';
import { headline, renderText } from './bot/render/text.js';
import { decideUnasked } from './bot/watch-policy.js';
import { auditCommand } from './cli/audit-command.js';
import { configCommand } from './cli/config-command.js';
import { kbCommand } from './cli/kb-command.js';
import { serveCommand } from './cli/serve-command.js';
import { workerCommand } from './cli/worker-command.js';
import { loadConfig } from './config/load-config.js';
import { describeError } from './errors.js';
import { createCodeBook } from './fixes/code-book.js';
import { understand } from './intents/understand.js';
import type { Understanding } from './intents/understanding.js';
import { createOcrReader } from './ocr/ocr-reader.js';
import { withProbeTimeout } from './triage/plan.js';
import type { Report } from './triage/report.js';

// The only entry point (bin `rdp-triage`). Usage errors exit 2, handled triages exit 0, a failure
// the user can act on (bad config, unreadable file) exits 1 with one sentence, never a stack trace.

const program = new Command('rdp-triage')
  .description('Triage Remote Desktop failures: understand the message, probe the host, rank fixes.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('classify')
  .description('Print what the bot understands from a message (intent, codes, hosts, gateway, symptoms).')
  .argument('[text...]', 'the message; omit with --jsonl')
  .option('--json', 'print the Understanding as JSON')
  .option(
    '--jsonl',
    'read one message per line from stdin (plain text or {"id","text"}), print one JSON object per line',
  )
  .option(
    '--image <file>',
    'a screenshot of the error dialog (PNG/JPEG): read its text (OCR) and classify it',
  )
  .action(async (words: string[], options: { json?: boolean; jsonl?: boolean; image?: string }) => {
    if (options.jsonl) return classifyLines();
    if (options.image !== undefined)
      return classifyImage(options.image, words.join(' '), Boolean(options.json));
    const text = requireText(words, 'classify');
    const understanding = understandText(text);
    const unasked = unaskedDecision(understanding);
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ...understanding, unasked })}\n`
        : `${headline(understanding)}\nintent: ${understanding.intent} (confidence ${understanding.confidence.toFixed(2)})\nin a watched channel: ${unasked.answer ? 'answers unasked' : 'stays quiet'}: ${unasked.reason}\n`,
    );
  });

program
  .command('triage')
  .description('Run the whole triage for one message and print the report.')
  .argument('[text...]', 'the message, e.g. "rdp 0x904 on 127.0.0.1" (optional with --image)')
  .option('--json', 'print the Report as JSON')
  .option(
    '--image <file>',
    'a screenshot of the error dialog (PNG/JPEG) or the .rdp file, read like a chat attachment',
  )
  .option('--config <file>', 'YAML configuration file (default: no jump, loopback targets only)')
  .addOption(probeTimeoutOption())
  .action(async (words: string[], options: TriageOptions) => {
    const text = options.image === undefined ? requireText(words, 'triage') : words.join(' ');
    const bot = assembleBot({
      config: withProbeTimeout(await loadConfig(options.config), options.probeTimeout),
    });
    try {
      let report: Report | null = null;
      let answer: Reply | null = null;
      /** "From your screenshot: …", printed with --json as `screenshot`. */
      let note: string | undefined;
      const surface: Surface = {
        minUpdateIntervalMs: Number.POSITIVE_INFINITY,
        post: async (reply) => {
          answer = reply;
          if (reply.kind !== 'text' && reply.note !== undefined) note = reply.note;
        },
        update: async (reply) => {
          answer = reply;
          if (reply.kind !== 'text' && reply.note !== undefined) note = reply.note;
        },
      };
      report = await bot.conversation.handle(
        {
          platform: 'cli',
          id: 'cli',
          user: 'cli',
          channel: 'cli',
          text,
          ...(options.image !== undefined && { files: [fileAttachment(options.image)] }),
        },
        surface,
        new AbortController().signal,
      );
      if (options.json) {
        const json = (report ?? replyAsJson(answer, text)) as object;
        process.stdout.write(
          `${JSON.stringify(note === undefined ? json : { ...json, screenshot: note })}\n`,
        );
      } else if (answer) {
        process.stdout.write(
          `${renderText(answer, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`,
        );
      }
    } finally {
      await bot.close();
    }
  });

program
  .command('chat')
  .description('Interactive console chat (the same conversation core as Slack and Teams).')
  .addOption(new Option('--config <file>', 'YAML configuration file').env('RDP_TRIAGE_CONFIG'))
  .addOption(probeTimeoutOption())
  .action(async (options: { config?: string; probeTimeout?: number }) => {
    const bot = assembleBot({
      config: withProbeTimeout(await loadConfig(options.config), options.probeTimeout),
    });
    try {
      await runConsoleChat(bot.conversation, { input: process.stdin, output: process.stdout });
    } finally {
      await bot.close();
    }
  });

// Probe worker for one network zone (issue 10).
program.addCommand(workerCommand().copyInheritedSettings(program));
// The chat bot: Slack (issue 7); Teams joins through SURFACES in src/bot/serve.ts.
program.addCommand(serveCommand().copyInheritedSettings(program));
// Config validation and the audit log (issue 9).
program.addCommand(configCommand().copyInheritedSettings(program));
program.addCommand(auditCommand().copyInheritedSettings(program));
// Knowledge base: lookup, search, list, check (issue 5).
program.addCommand(kbCommand().copyInheritedSettings(program));

/** `--probe-timeout <ms>`: one deadline for every probe, overriding probes.timeoutMs / timeouts. */
function probeTimeoutOption(): Option {
  return new Option('--probe-timeout <ms>', 'deadline of each probe in milliseconds (100-60000)').argParser(
    (value: string) => {
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms < 100 || ms > 60_000)
        throw new InvalidArgumentError('a whole number of milliseconds between 100 and 60000');
      return ms;
    },
  );
}

/** A triage that ended without probing (help, out of scope, empty) still prints one JSON object. */
function replyAsJson(reply: Reply | null, text: string): unknown {
  const understanding = reply && 'understanding' in reply ? reply.understanding : understandText(text);
  return {
    understanding,
    findings: [],
    fixes: [],
    refusals: [],
    reply: reply?.kind === 'text' ? reply.text : null,
  };
}

/** `classify --image`: OCR the screenshot, then classify its text (plus any typed words). */
async function classifyImage(path: string, typed: string, json: boolean): Promise<void> {
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
function understandText(text: string) {
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

function requireText(words: string[], command: string): string {
  const text = words.join(' ');
  if (text.trim() === '')
    throw new CommanderError(
      2,
      'rdp-triage.missingText',
      `error: ${command} needs a message, e.g. rdp-triage ${command} "rdp 0x904 on 127.0.0.1"`,
    );
  return text;
}

interface TriageOptions {
  json?: boolean;
  config?: string;
  probeTimeout?: number;
  image?: string;
}

async function classifyLines(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
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

try {
  await program.parseAsync(process.argv);
  // A name lookup that outlived its probe deadline still holds a libuv thread; the answer is
  // printed (stdout is synchronous for files and pipes on Linux), so do not wait for it.
  if (program.args[0] === 'triage') process.exit(process.exitCode ?? 0);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.code === 'rdp-triage.missingText') process.stderr.write(`${error.message}\n`);
    // Help and version exit 0; every usage error (unknown flag, missing argument) exits 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`rdp-triage: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}

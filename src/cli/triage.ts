import { assembleBot } from '../app/assemble.js';
import { runChat } from '../app/chat.js';
import { openSharedIncidents } from '../app/shared-incidents.js';
import { fileAttachment } from '../bot/attachments/images.js';
import type { Surface } from '../bot/conversation/ports.js';
import { renderText } from '../bot/render/text.js';
import { loadConfig } from '../config/load-config.js';
import type { Reply } from '../report/reply.js';
import type { Report } from '../report/report.js';
import { withProbeTimeout } from '../triage/plan.js';
import { understandText } from './classify.js';
import type { TriageOptions } from './triage-command.js';

// `rdp-triage triage` and `chat`: loaded only when one of them runs (src/cli/triage-command.ts).

/** One message through the conversation core, as a chat surface would send it; prints the answer. */
export async function triageOnce(text: string, options: TriageOptions): Promise<void> {
  const config = withProbeTimeout(await loadConfig(options.config), options.probeTimeout);
  // A report attributed to a user (--user) joins the incidents serve's replicas keep, with REDIS_URL.
  const shared = await openSharedIncidents(config);
  const bot = assembleBot({ config, ...(shared && { sharedIncidents: shared.incidents }) });
  try {
    let answer: Reply | null = null;
    /** "From your screenshot: …", printed with --json as `screenshot` (only with --image: the note also names a known incident). */
    let note: string | undefined;
    const keep = async (reply: Reply) => {
      answer = reply;
      if (
        options.image !== undefined &&
        (reply.kind === 'progress' || reply.kind === 'report') &&
        reply.note !== undefined
      )
        note = reply.note;
    };
    const surface: Surface = { minUpdateIntervalMs: Number.POSITIVE_INFINITY, post: keep, update: keep };
    const report: Report | null = await bot.conversation.handle(
      {
        platform: 'cli',
        id: 'cli',
        user: options.user ?? 'cli',
        channel: 'cli',
        text,
        ...(options.image !== undefined && { files: [fileAttachment(options.image)] }),
      },
      surface,
      new AbortController().signal,
    );
    if (options.json) {
      const json = (report ?? replyAsJson(answer, text)) as object;
      process.stdout.write(`${JSON.stringify(note === undefined ? json : { ...json, screenshot: note })}\n`);
    } else if (answer) {
      process.stdout.write(
        `${renderText(answer, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR })}\n`,
      );
    }
  } finally {
    await bot.close();
    await shared?.close();
  }
}

/** The console chat until the input ends (src/app/chat.ts). */
export async function chat(options: { config?: string; probeTimeout?: number }): Promise<void> {
  await runChat(withProbeTimeout(await loadConfig(options.config), options.probeTimeout));
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

import { createInterface } from 'node:readline';
import type { Reply } from '../../../report/reply.js';
import { fileAttachment } from '../../attachments/images.js';
import type { Conversation } from '../../conversation/conversation.js';
import type { Incoming, Surface } from '../../conversation/ports.js';
import { renderText } from '../../render/text.js';

interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean };
  user?: string;
}

/**
 * The console chat: the same conversation core as Slack and Teams. Progress lines print as
 * findings arrive; the final report prints once, in full.
 */
export async function runConsoleChat(
  conversation: Conversation,
  { input, output, user = process.env.USER ?? 'console' }: ConsoleOptions,
): Promise<void> {
  const color = Boolean(output.isTTY) && !process.env.NO_COLOR;
  const rl = createInterface({ input, output, terminal: Boolean(output.isTTY) });
  const write = (text: string) => output.write(`${text}\n`);
  write(
    'rdp-triage console — describe the RDP failure (e.g. "rdp 0x904 extended 0x7 on 127.0.0.1"). "help" for examples, Ctrl-D to quit.',
  );
  const controller = new AbortController();
  rl.on('SIGINT', () => {
    controller.abort();
    rl.close();
  });
  let counter = 0;
  rl.setPrompt(color ? '\u001b[1myou>\u001b[0m ' : 'you> ');
  rl.prompt();
  try {
    // The async iterator buffers lines typed (or piped) while a triage is still running.
    for await (const line of rl) {
      if (line.trim() === 'quit' || line.trim() === 'exit') break;
      counter += 1;
      await conversation.handle(
        consoleIncoming(line, String(counter), user),
        createConsoleSurface(write, color),
        controller.signal,
      );
      rl.prompt();
    }
  } finally {
    rl.close();
  }
}

/** `/image PATH [text]` attaches a local screenshot, read like a Slack or Teams attachment. */
const IMAGE_COMMAND = /^\/image\s+(?:"([^"]+)"|(\S+))\s*(.*)$/s;

function consoleIncoming(line: string, id: string, user: string): Incoming {
  const base = { platform: 'console', id, user, channel: 'console' } as const;
  const image = IMAGE_COMMAND.exec(line.trim());
  if (!image) return { ...base, text: line };
  return { ...base, text: image[3] ?? '', files: [fileAttachment(image[1] ?? image[2] ?? '')] };
}

function createConsoleSurface(write: (text: string) => void, color: boolean): Surface {
  let headerPrinted = false;
  let printedFindings = 0;
  const show = (reply: Reply) => {
    if (reply.kind === 'progress') {
      // A terminal cannot edit what scrolled away: print the headline (and any screenshot note)
      // once, then one line per new finding — the last lines of the rendered progress.
      const { note, ...rest } = reply;
      if (!headerPrinted) {
        write(renderText({ ...rest, ...(note !== undefined && { note }), findings: [] }, { color }));
        headerPrinted = true;
      }
      const fresh = reply.findings.slice(printedFindings);
      if (fresh.length > 0) {
        const lines = renderText({ ...rest, findings: fresh }, { color }).split('\n');
        write(lines.slice(-fresh.length).join('\n'));
      }
      printedFindings = reply.findings.length;
      return;
    }
    write(renderText(reply, { color }));
  };
  return {
    minUpdateIntervalMs: 0,
    post: async (reply) => show(reply),
    update: async (reply) => show(reply),
  };
}

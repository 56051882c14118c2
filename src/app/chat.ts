import { runConsoleChat } from '../bot/adapters/console/console.js';
import type { Config } from '../config/schema.js';
import { assembleBot } from './assemble.js';

/** `npm start` without chat tokens: the console chat over the same core, until the input ends. */
export async function runChat(
  config: Config,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream & { isTTY?: boolean } } = {
    input: process.stdin,
    output: process.stdout,
  },
): Promise<void> {
  const bot = assembleBot({ config });
  try {
    await runConsoleChat(bot.conversation, io);
  } finally {
    await bot.close();
  }
}

/**
 * The local Slack Web API fake in its own process, so the benchmark's bot process does only the
 * bot's work (Slack's servers are not in the bot's process either). Sends `{ apiUrl }` to the
 * parent over IPC; answers `{ count: method }` requests with the number of calls of that method.
 */
import { startFakeSlackApi } from '../test/helpers/slack-api-server.js';

const api = await startFakeSlackApi();
process.send?.({ apiUrl: api.apiUrl });
process.on('message', (message: { count?: string; close?: boolean }) => {
  if (message.count) process.send?.({ count: api.calls.filter((c) => c.method === message.count).length });
  if (message.close) void api.close().then(() => process.exit(0));
});
process.on('disconnect', () => void api.close().then(() => process.exit(0)));

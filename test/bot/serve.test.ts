import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Served, startServe } from '../../src/app/serve.js';
import type { SlackBlock } from '../../src/bot/render/slack.js';
import { configSchema } from '../../src/config/schema.js';
import { isTriageError } from '../../src/errors.js';
import { type FakeSlackApi, signSlackRequest, startFakeSlackApi } from '../helpers/slack-api-server.js';
import { buttonClick, directMessage } from '../helpers/slack-payloads.js';
import { CONFIRM, startX224Server } from '../helpers/x224-server.js';

const SECRET = 'abcdef0123456789abcdef0123456789';
const logger = pino({ level: 'silent' });
const config = (port: number) =>
  configSchema.parse({ inventory: [{ name: 'srv-lab-01', address: '127.0.0.1', port }] });

let api: FakeSlackApi;
beforeAll(async () => {
  api = await startFakeSlackApi();
});
afterAll(async () => {
  await api?.close();
});

const slackEnv = () => ({
  SLACK_BOT_TOKEN: 'xoxb-serve-test',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_PORT: '0',
  SLACK_HOST: '127.0.0.1',
  SLACK_API_URL: api.apiUrl,
});

async function startupError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => new Error('started'),
    (e: Error) => e,
  );
  expect(isTriageError(error) && error.code).toBe('STARTUP_INVALID');
  return error;
}

describe('startServe refuses to start', () => {
  test('with no surface configured, naming what to set', async () => {
    const error = await startupError(startServe({ config: config(1), env: {}, logger }));
    expect(error.message).toContain('nothing to serve');
    expect(error.message).toContain('SLACK_BOT_TOKEN');
  });

  test('when Slack rejects the bot token at auth.test', async () => {
    api.override('auth.test', (call) =>
      call.authorization === 'Bearer xoxb-revoked'
        ? { body: { ok: false, error: 'invalid_auth' } }
        : undefined,
    );
    const error = await startupError(
      startServe({ config: config(1), env: { ...slackEnv(), SLACK_BOT_TOKEN: 'xoxb-revoked' }, logger }),
    );
    expect(error.message).toContain('SLACK_BOT_TOKEN');
    expect(error.message).toContain('invalid_auth');
    expect(error.message).not.toContain('xoxb-revoked');
  });
});

describe('serve with Slack over HTTP', () => {
  let served: Served;
  let rdp: Awaited<ReturnType<typeof startX224Server>>;
  beforeAll(async () => {
    rdp = await startX224Server(CONFIRM.hybridRequired);
    served = await startServe({ config: config(rdp.port), env: slackEnv(), logger });
  });
  afterAll(async () => {
    for (const surface of served?.surfaces ?? []) await surface.stop();
    await served?.close();
    await rdp?.close();
  });

  const post = (body: string, type: string) =>
    fetch(served.surfaces[0]?.address as string, {
      method: 'POST',
      headers: { 'content-type': type, ...signSlackRequest(SECRET, body) },
      body,
    });
  /** The next message posted in `channel` after call number `after`, once its final edit is in. */
  const finalReport = async (channel: string, after: number) => {
    const posted = () =>
      api.calls.slice(after).find((c) => c.args.channel === channel && c.method === 'chat.postMessage');
    const tsOf = () => (posted()?.response as { ts?: string } | undefined)?.ts;
    const finals = () =>
      api.calls
        .slice(after)
        .filter(
          (c) =>
            c.method === 'chat.update' &&
            c.args.ts === tsOf() &&
            JSON.stringify(c.args.blocks).includes('Triage took'),
        );
    await api.waitFor(() => finals().length > 0);
    return { ts: tsOf() as string, blocks: finals().at(-1)?.args.blocks as SlackBlock[] };
  };

  test('a "This fixed it" vote ranks the next triage with it', async () => {
    expect(served.surfaces.map((s) => s.name)).toEqual(['slack']);
    const start = api.calls.length;
    await post(
      JSON.stringify(directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0SERVE001' })),
      'application/json',
    );
    const first = await finalReport('D0SERVE001', start);
    expect(JSON.stringify(first.blocks)).not.toContain('Feedback for 0x904');
    const vote = first.blocks.flatMap((b) =>
      b.type === 'actions' && b.block_id.startsWith('fix:')
        ? b.elements.map((e) => ({ ...e, block_id: b.block_id }))
        : [],
    )[0];
    expect(vote?.action_id).toBe('fix_helped');
    await post(
      buttonClick(vote as never, { ts: first.ts, channel: 'D0SERVE001' }, api.respondUrl('s1')),
      'application/x-www-form-urlencoded',
    );

    const again = api.calls.length;
    await post(
      JSON.stringify(directMessage('rdp 0x904 on srv-lab-01', { channel: 'D0SERVE001' })),
      'application/json',
    );
    const second = await finalReport('D0SERVE001', again);
    expect(JSON.stringify(second.blocks)).toMatch(/Feedback for 0x904: helped 1 of 1/);
  });
});

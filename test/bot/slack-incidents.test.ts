import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Served, startServe } from '../../src/app/serve.js';
import { SLACK_STARTER } from '../../src/app/surfaces.js';
import type { SlackBlock } from '../../src/bot/render/slack.js';
import { configSchema } from '../../src/config/schema.js';
import { closedPort } from '../helpers/closed-port.js';
import {
  type ApiCall,
  type FakeSlackApi,
  signSlackRequest,
  startFakeSlackApi,
} from '../helpers/slack-api-server.js';
import { buttonClick, directMessage } from '../helpers/slack-payloads.js';

// Issue 19 as a Slack workspace sees it, through `serve` (the real Bolt app, HTTP receiver and
// WebClient) against a local server speaking the Slack Web API: three people report the same
// down host in their DMs → one incident, posted once in the helpdesk channel and edited in place
// as reports attach; the third is told "report #3"; an agent's Acknowledge button changes the
// post; the host comes back and two monitor passes resolve it → every reporter is told in the DM
// where they reported, and the post says resolved.

const SECRET = 'abcdef0123456789abcdef0123456789';
const HELPDESK = 'C0HELPDSK';
const REPORTERS = ['U0USER001', 'U0USER002', 'U0USER003'].map((user, index) => ({
  user,
  channel: `D0USER00${index + 1}`,
}));

let api: FakeSlackApi;
let served: Served;
let eventsUrl: string;
let port: number;
let revived: Server | undefined;

beforeAll(async () => {
  api = await startFakeSlackApi();
  // Connecting is refused (TCP closed) until the test opens the port again.
  port = await closedPort();
  const config = configSchema.parse({
    probes: { timeoutMs: 1500 },
    inventory: [{ name: 'srv-down', address: '127.0.0.1', port }],
    incidents: { helpdesk: { slack: HELPDESK } },
  });
  served = await startServe({
    config,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_PORT: '0',
      SLACK_HOST: '127.0.0.1',
      SLACK_API_URL: api.apiUrl,
    },
    logger: pino({ level: 'silent' }),
    surfaces: [SLACK_STARTER],
  });
  eventsUrl = served.surfaces[0]?.address ?? '';
});

afterAll(async () => {
  for (const surface of served?.surfaces ?? []) await surface.stop();
  await served?.close();
  if (revived) await new Promise((resolve) => revived?.close(resolve));
  await api?.close();
});

async function deliver(body: string, contentType: string): Promise<number> {
  const response = await fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': contentType, ...signSlackRequest(SECRET, body) },
    body,
  });
  await response.text();
  return response.status;
}

const textOf = (call: ApiCall) =>
  `${String(call.args.text ?? '')}\n${JSON.stringify(call.args.blocks ?? '')}`;
const isFinal = (call: ApiCall) => JSON.stringify(call.args.blocks ?? '').includes('Triage took');
const tsOf = (call: ApiCall | undefined) => (call?.response as { ts?: string } | undefined)?.ts;
const inChannel = (channel: string, method: string) =>
  api.calls.filter((call) => call.method === method && call.args.channel === channel);

test('three reports of one down host: one helpdesk post edited in place, #3 told, acknowledged, resolved and every reporter told', async () => {
  for (const [index, { user, channel }] of REPORTERS.entries()) {
    const dm = directMessage("rdp 0x204 can't connect to srv-down", { user, channel });
    expect(await deliver(JSON.stringify(dm), 'application/json')).toBe(200);
    // Each report's answer is final before the next one arrives (the incident counts in order).
    await api.waitFor(
      (calls) => calls.some((c) => c.method === 'chat.update' && c.args.channel === channel && isFinal(c)),
      20_000,
    );
    await served.incidentsIdle();
    if (index === 0) expect(inChannel(HELPDESK, 'chat.postMessage')).toEqual([]);
  }
  const finalOf = (channel: string) => inChannel(channel, 'chat.update').filter(isFinal).at(-1) as ApiCall;
  expect(textOf(finalOf(REPORTERS[0]?.channel ?? ''))).not.toMatch(/Known problem INC-/);
  expect(textOf(finalOf(REPORTERS[1]?.channel ?? ''))).toMatch(/Known problem INC-\d+ since .*report #2/);
  expect(textOf(finalOf(REPORTERS[2]?.channel ?? ''))).toMatch(/Known problem INC-\d+ since .*report #3/);

  // Opened by the 2nd report (incidents.openAfterReports: 2): posted once, edited when the 3rd attached.
  const posts = inChannel(HELPDESK, 'chat.postMessage');
  expect(posts).toHaveLength(1);
  const postTs = tsOf(posts[0]);
  expect(postTs).toBeDefined();
  await api.waitFor((calls) =>
    calls.some((c) => c.method === 'chat.update' && c.args.ts === postTs && /3 reports/.test(textOf(c))),
  );
  expect(textOf(posts[0] as ApiCall)).toMatch(/srv-down/);

  // An agent acknowledges from the post's button; the post is redrawn with the new state.
  const blocks = (posts[0]?.args.blocks ?? []) as SlackBlock[];
  const acknowledge = blocks
    .flatMap((block) => (block.type === 'actions' ? block.elements.map((button) => ({ button, block })) : []))
    .find(({ button }) => button.action_id === 'incident_acknowledge');
  expect(acknowledge).toBeDefined();
  const click = buttonClick(
    {
      action_id: 'incident_acknowledge',
      value: acknowledge?.button.value ?? '',
      block_id: acknowledge?.block.block_id ?? '',
    },
    { ts: postTs ?? '', channel: HELPDESK },
    api.respondUrl('ack'),
    'U0AGENT01',
  );
  expect(await deliver(click, 'application/x-www-form-urlencoded')).toBe(200);
  await api.waitFor((calls) =>
    calls.some((c) => c.method === 'response_url' && /acknowledged/.test(textOf(c))),
  );
  await served.incidentsIdle();
  await api.waitFor((calls) =>
    calls.some((c) => c.method === 'chat.update' && c.args.ts === postTs && /acknowledged/i.test(textOf(c))),
  );

  // The host comes back: two green passes in a row resolve the incident.
  revived = createServer((socket) => socket.destroy());
  revived.listen(port, '127.0.0.1');
  await once(revived, 'listening');
  expect((await served.monitorPass()).map((change) => change.change)).toEqual(['green']);
  expect((await served.monitorPass()).map((change) => change.change)).toEqual(['resolved']);
  await served.incidentsIdle();
  for (const { channel } of REPORTERS) {
    const told = inChannel(channel, 'chat.postMessage').filter((c) => /INC-\d+ is resolved/.test(textOf(c)));
    expect(told, channel).toHaveLength(1);
  }
  const edits = inChannel(HELPDESK, 'chat.update').filter((c) => c.args.ts === postTs);
  expect(textOf(edits.at(-1) as ApiCall)).toMatch(/resolved/i);
  // Never a second post for the same incident.
  expect(inChannel(HELPDESK, 'chat.postMessage')).toHaveLength(1);
}, 90_000);

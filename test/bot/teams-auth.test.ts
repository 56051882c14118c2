import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTeams, type TeamsServer } from '../../src/bot/adapters/teams/teams-server.js';
import type { Conversation } from '../../src/bot/conversation/conversation.js';
import { withOpenIdMetadata } from '../../src/config/teams-env.js';
import { type FakeConnector, startFakeConnector } from './teams-connector.js';

// With an app id, every request must carry a Bot Framework JWT: RS256, issuer api.botframework.com,
// audience = the app id, `serviceurl` claim = the activity's serviceUrl, signed by a key from the
// OpenID metadata. Here the metadata and JWKS are served locally with a generated key, and
// botbuilder's own validator (ToBotFromChannelOpenIdMetadataUrl) checks the tokens.

const APP_ID = '5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';
const KID = 'test-signing-key';
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 });

let openId: Server;
let metadataRequests = 0;
let connector: FakeConnector;
let teams: TeamsServer;
const handled: string[] = [];

beforeAll(async () => {
  openId = createServer((req, res) => {
    metadataRequests += 1;
    const base = `http://127.0.0.1:${(openId.address() as AddressInfo).port}`;
    const body =
      req.url === '/v1/.well-known/openidconfiguration'
        ? {
            issuer: 'https://api.botframework.com',
            jwks_uri: `${base}/v1/.well-known/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
          }
        : {
            keys: [
              {
                ...signing.publicKey.export({ format: 'jwk' }),
                kid: KID,
                use: 'sig',
                endorsements: ['msteams'],
              },
            ],
          };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  openId.listen(0, '127.0.0.1');
  await once(openId, 'listening');
  connector = await startFakeConnector();
  // The bot logic is a recorder here: these tests are about who gets in, not what is answered.
  const conversation: Conversation = {
    async handle(incoming) {
      handled.push(incoming.text);
      return null;
    },
  };
  const metadata = `http://127.0.0.1:${(openId.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`;
  teams = await startTeams({
    conversation,
    settings: withOpenIdMetadata(
      {
        appId: APP_ID,
        botFrameworkAuth: {
          MicrosoftAppId: APP_ID,
          MicrosoftAppPassword: 'not-used-in-this-test',
          MicrosoftAppType: 'MultiTenant',
        },
        port: 0,
        host: '127.0.0.1',
      },
      metadata,
    ),
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await teams?.stop();
  await teams?.drain(0);
  await connector?.close();
  openId?.close();
});

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function jwt(
  claims: Record<string, unknown>,
  { key = signing.privateKey, alg = 'RS256' }: { key?: KeyObject; alg?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg, typ: 'JWT', kid: KID })}.${b64({
    iss: 'https://api.botframework.com',
    aud: APP_ID,
    serviceurl: connector.url,
    nbf: now - 60,
    exp: now + 3600,
    ...claims,
  })}`;
  if (alg === 'none') return `${head}.`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(key).toString('base64url')}`;
}

function activity(type: string) {
  return {
    type,
    id: `a-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:user', name: 'Ada' },
    recipient: { id: `28:${APP_ID}`, name: 'RDP Triage' },
    conversation: { id: 'a:personal', conversationType: 'personal' },
    text: 'rdp 0x904 on 127.0.0.1',
    // conversationUpdate: the bot was added; it answers nothing, so no outgoing call (and no token) is needed.
    ...(type === 'conversationUpdate' && { membersAdded: [{ id: `28:${APP_ID}` }], text: undefined }),
  };
}

async function post(body: unknown, authorization?: string): Promise<number> {
  const response = await fetch(teams.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('Teams with an app id: JWT-verified requests', () => {
  test('the server says it is authenticated', () => {
    expect(teams.authenticated).toBe(true);
  });

  test.for([
    { desc: 'no Authorization header', auth: () => undefined },
    { desc: 'not a bearer token', auth: () => 'Basic dXNlcjpwYXNz' },
    { desc: 'garbage token', auth: () => 'Bearer not.a.jwt' },
    { desc: 'signed by another key', auth: () => `Bearer ${jwt({}, { key: impostor.privateKey })}` },
    { desc: 'alg none', auth: () => `Bearer ${jwt({}, { alg: 'none' })}` },
    { desc: 'for another bot', auth: () => `Bearer ${jwt({ aud: '00000000-0000-4000-8000-000000000000' })}` },
    { desc: 'another issuer', auth: () => `Bearer ${jwt({ iss: 'https://evil.example' })}` },
    {
      desc: 'serviceurl claim for another service',
      auth: () => `Bearer ${jwt({ serviceurl: 'http://127.0.0.2:9/' })}`,
    },
    { desc: 'expired', auth: () => `Bearer ${jwt({ nbf: 1_600_000_000, exp: 1_600_003_600 })}` },
  ])('$desc → 401, and the message never reaches the bot', async ({ auth }) => {
    expect(await post(activity('message'), auth())).toBe(401);
    expect(handled).toEqual([]);
    expect(connector.calls).toEqual([]);
  });

  test('a correctly signed token is accepted (the same key and claims the rejections vary)', async () => {
    expect(await post(activity('conversationUpdate'), `Bearer ${jwt({})}`)).toBe(200);
    expect(metadataRequests).toBeGreaterThanOrEqual(2); // metadata + keys fetched from the local document
    expect(connector.calls).toEqual([]);
  });
});

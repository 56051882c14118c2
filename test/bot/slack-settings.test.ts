import { describe, expect, test } from 'vitest';
import { readSlackSettings } from '../../src/config/slack-env.js';
import { isTriageError } from '../../src/errors.js';

const BOT = 'xoxb-1111-2222-abcDEF';
const APP = 'xapp-1-A111-222-abc';
const SECRET = '0123456789abcdef0123456789abcdef';

describe('readSlackSettings', () => {
  test.for([
    { desc: 'no Slack variable', env: {}, expected: null },
    { desc: 'only a port', env: { SLACK_PORT: '3000' }, expected: null },
    { desc: 'empty values count as unset', env: { SLACK_BOT_TOKEN: '' }, expected: null },
    {
      desc: 'bot + app token → Socket Mode',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET },
      expected: { mode: 'socket', botToken: BOT, appToken: APP },
    },
    {
      desc: 'bot token + signing secret → HTTP on 3000',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET },
      expected: { mode: 'http', botToken: BOT, signingSecret: SECRET, port: 3000, host: '0.0.0.0' },
    },
    {
      desc: 'port, host and API URL',
      env: {
        SLACK_BOT_TOKEN: BOT,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_PORT: '8080',
        SLACK_HOST: '127.0.0.1',
        SLACK_API_URL: 'https://slack-gov.com/api/',
      },
      expected: {
        mode: 'http',
        botToken: BOT,
        signingSecret: SECRET,
        port: 8080,
        host: '127.0.0.1',
        apiUrl: 'https://slack-gov.com/api/',
      },
    },
  ])('$desc', ({ env, expected }) => {
    expect(readSlackSettings(env)).toEqual(expected);
  });

  test.for([
    { desc: 'missing bot token', env: { SLACK_APP_TOKEN: APP }, names: 'SLACK_BOT_TOKEN' },
    {
      desc: 'user token as bot token',
      env: { SLACK_BOT_TOKEN: 'xoxp-123-secretvalue', SLACK_APP_TOKEN: APP },
      names: 'SLACK_BOT_TOKEN',
    },
    {
      desc: 'bot token in place of app token',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: 'xoxb-secretvalue' },
      names: 'SLACK_APP_TOKEN',
    },
    { desc: 'neither app token nor secret', env: { SLACK_BOT_TOKEN: BOT }, names: 'SLACK_SIGNING_SECRET' },
    {
      desc: 'short signing secret',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 'secretvalue' },
      names: 'SLACK_SIGNING_SECRET',
    },
    {
      desc: 'port out of range',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, SLACK_PORT: '70000' },
      names: 'SLACK_PORT',
    },
    {
      desc: 'API URL without /api/',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_API_URL: 'https://slack.com/' },
      names: 'SLACK_API_URL',
    },
  ])('$desc: STARTUP_INVALID naming $names, never the value', ({ env, names }) => {
    let thrown: unknown;
    try {
      readSlackSettings(env);
    } catch (error) {
      thrown = error;
    }
    expect(isTriageError(thrown) && thrown.code).toBe('STARTUP_INVALID');
    expect((thrown as Error).message).toContain(names);
    expect((thrown as Error).message).not.toContain('secretvalue');
  });
});

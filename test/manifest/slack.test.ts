import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { SHORTCUT_CALLBACK_ID, SLASH_COMMAND } from '../../src/config/slack-env.js';

// Slack's official manifest JSON Schema (slackapi/manifest-schema, see its SOURCE file).
const SCHEMA_PATH = new URL('../fixtures/schemas/slack/manifest.schema.2.0.0.json', import.meta.url);
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
// ajv-formats is CommonJS (`module.exports = plugin; exports.default = plugin`): under NodeNext the
// default import is the module object, the plugin is its `default`.
const addFormats = addFormatsModule.default;
// strict: false — the schema uses a non-standard `regex` keyword next to `pattern`.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

const VARIANTS = [
  { file: 'manifest.yaml', socket: true },
  { file: 'manifest.http.yaml', socket: false },
].map((variant) => {
  const text = readFileSync(new URL(`../../manifest/slack/${variant.file}`, import.meta.url), 'utf8');
  return { ...variant, text, manifest: parse(text) as Manifest };
});

interface Manifest {
  features: {
    slash_commands: { command: string; url?: string }[];
    shortcuts: { callback_id: string; type: string }[];
    app_home: { messages_tab_enabled: boolean; messages_tab_read_only_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    socket_mode_enabled: boolean;
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
  };
}

describe.for(VARIANTS)('$file', ({ text, manifest, socket }) => {
  test('is valid against Slack manifest schema 2.0.0', () => {
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('declares what the app listens for', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ callback_id: SHORTCUT_CALLBACK_ID, type: 'message' }),
    ]);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      'app_mention',
      'message.channels',
      'message.groups',
      'message.im',
      'reaction_added',
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // Users must be able to write to the bot in its Messages tab, or DMs never arrive.
    expect(manifest.features.app_home).toMatchObject({
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  test('asks for the least privilege, each scope with its reason', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'app_mentions:read',
      'channels:history',
      'chat:write',
      'commands',
      'files:read',
      'groups:history',
      'im:history',
      'reactions:read',
      'reactions:write',
      // Roles granted by Slack user group (access.roles[].groups) read the members with usergroups.list.
      'usergroups:read',
    ]);
    const lines = text.split('\n');
    for (const scope of manifest.oauth_config.scopes.bot) {
      const index = lines.findIndex((line) => line.trim() === `- ${scope}`);
      expect(lines[index - 1]?.trim().startsWith('#'), `comment above ${scope}`).toBe(true);
    }
  });

  test(socket ? 'uses Socket Mode, no request URLs' : 'sends everything to /slack/events over HTTPS', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(socket);
    const urls = [
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      ...manifest.features.slash_commands.map((c) => c.url),
    ];
    if (socket) expect(urls.filter(Boolean)).toEqual([]);
    else for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  });
});

test('the validator rejects a manifest Slack would reject', () => {
  const broken = structuredClone(VARIANTS[0]?.manifest) as Manifest & {
    display_information: { name: string };
  };
  broken.display_information.name = 'x'.repeat(36);
  (broken.features.shortcuts[0] as { type: string }).type = 'channel';
  expect(validate(broken)).toBe(false);
  expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(
    expect.arrayContaining(['/display_information/name', '/features/shortcuts/0/type']),
  );
});

import { describe, expect, test, vi } from 'vitest';
import {
  cardRef,
  channelOf,
  configuredChannel,
  createConversationReferences,
  loadConversationReferences,
  parseCardRef,
} from '../../../src/bot/conversation/conversation-references.js';
import { createSqliteConversationStore } from '../../../src/store/conversation-store.js';
import { openDatabase } from '../../../src/store/sqlite.js';

// Where the Teams bot can write when nobody just wrote to it: the references it learned from
// activities, and the configured helpdesk channel before it has seen one there.

const HELPDESK = '19:helpdesk0incidents@thread.tacv2';
const SERVICE = 'https://smba.trafficmanager.net/emea/';

/** What botbuilder's TurnContext.getConversationReference returns for a channel thread reply. */
const threadReference = {
  activityId: '1700000000555',
  user: { id: '29:1user', name: 'Ada Lovelace', aadObjectId: 'aad-1' },
  bot: { id: '28:bot-app', name: 'RDP Triage' },
  conversation: {
    id: `${HELPDESK};messageid=1700000000500`,
    isGroup: true,
    conversationType: 'channel',
    tenantId: 'tenant-1',
    name: 'IT helpdesk',
  },
  channelId: 'msteams',
  locale: 'en-US',
  serviceUrl: SERVICE,
};

describe('channelOf', () => {
  test.for([
    {
      desc: 'channel data names the channel',
      place: {
        conversation: { id: `${HELPDESK};messageid=1`, conversationType: 'channel' },
        channelData: { channel: { id: HELPDESK } },
      },
      channel: HELPDESK,
    },
    {
      desc: 'no channel data: the thread id without its message id',
      place: { conversation: { id: `${HELPDESK};messageid=1`, conversationType: 'channel' } },
      channel: HELPDESK,
    },
    { desc: 'a 1:1 chat', place: { conversation: { id: 'a:1chat', conversationType: 'personal' } } },
    {
      desc: 'a group chat',
      place: { conversation: { id: '19:meeting@thread.v2', conversationType: 'groupChat' } },
    },
  ])('$desc', ({ place, channel }) => {
    expect(channelOf(place)).toBe(channel);
  });
});

describe('conversation references', () => {
  test('a channel is learned under its bare id, without the thread or the message it came from', () => {
    const references = createConversationReferences();
    expect(references.forChannel(HELPDESK)).toBeUndefined();
    references.learn(threadReference, HELPDESK);
    // A post there starts a new thread: no activity id to reply to, no names or locale kept.
    expect(references.forChannel(HELPDESK)).toEqual({
      serviceUrl: SERVICE,
      channelId: 'msteams',
      bot: { id: '28:bot-app' },
      conversation: { id: HELPDESK, isGroup: true, conversationType: 'channel', tenantId: 'tenant-1' },
    });
  });

  test('the configured helpdesk channel is reachable before any activity, and a learned one replaces it', () => {
    const helpdesk = configuredChannel(HELPDESK, {
      appId: '5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b',
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
      tenantId: 'tenant-1',
    });
    const references = createConversationReferences({ helpdesk });
    expect(references.forChannel(HELPDESK)).toEqual({
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
      channelId: 'msteams',
      bot: { id: '28:5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b' },
      conversation: { id: HELPDESK, isGroup: true, conversationType: 'channel', tenantId: 'tenant-1' },
    });
    // Another channel is not built from the helpdesk's settings.
    expect(references.forChannel('19:other@thread.tacv2')).toBeUndefined();
    // Installed or mentioned there: the channel's own Bot Connector (its region) wins.
    references.learn(threadReference, HELPDESK);
    expect(references.forChannel(HELPDESK)?.serviceUrl).toBe(SERVICE);
  });

  test('without a service URL (Emulator mode, none set) the helpdesk channel waits to be learned', () => {
    const references = createConversationReferences({
      helpdesk: configuredChannel(HELPDESK, { appId: '' }),
    });
    expect(references.forChannel(HELPDESK)).toBeUndefined();
    expect(configuredChannel(undefined, { appId: '' })).toBeUndefined();
  });

  test('a chat is learned under its conversation id; the oldest conversation is forgotten past the bound', () => {
    const references = createConversationReferences({ max: 2 });
    const chat = (id: string) => ({ ...threadReference, conversation: { id, conversationType: 'personal' } });
    references.learn(chat('a:1'));
    references.learn(chat('a:2'));
    references.learn(chat('a:1')); // seen again: newest now
    references.learn(chat('a:3'));
    expect(['a:1', 'a:2', 'a:3'].map((id) => references.forChannel(id) !== undefined)).toEqual([
      true,
      false,
      true,
    ]);
  });

  test('what is not a reference is not learned', () => {
    const references = createConversationReferences();
    references.learn({ conversation: { id: 'a:1' } }); // no serviceUrl
    references.learn(null);
    expect(references.forChannel('a:1')).toBeUndefined();
  });
});

describe('conversation references kept in a store', () => {
  const stripped = {
    serviceUrl: SERVICE,
    channelId: 'msteams',
    bot: { id: '28:bot-app' },
    conversation: { id: HELPDESK, isGroup: true, conversationType: 'channel', tenantId: 'tenant-1' },
  };

  test('what is saved is the stripped reference: ids and the service URL, no names, locale or activity', () => {
    const saved: [string, unknown][] = [];
    const references = createConversationReferences({ save: (key, ref) => saved.push([key, ref]) });
    references.learn(threadReference, HELPDESK);
    expect(saved).toEqual([[HELPDESK, stripped]]);
    expect(JSON.stringify(saved)).not.toMatch(/Ada|RDP Triage|IT helpdesk|en-US|1700000000555/);
  });

  test('the same reference seen again is not saved again until an hour has passed; a changed one at once', () => {
    let clock = 0;
    const save = vi.fn();
    const references = createConversationReferences({ save, now: () => clock });
    references.learn(threadReference, HELPDESK);
    clock += 59 * 60_000;
    references.learn(threadReference, HELPDESK);
    expect(save).toHaveBeenCalledTimes(1);
    references.learn({ ...threadReference, serviceUrl: 'https://smba.trafficmanager.net/amer/' }, HELPDESK);
    expect(save).toHaveBeenCalledTimes(2);
    clock += 61 * 60_000;
    references.learn({ ...threadReference, serviceUrl: 'https://smba.trafficmanager.net/amer/' }, HELPDESK);
    expect(save).toHaveBeenCalledTimes(3);
  });

  test('saved references are read back parsed: what is no reference is dropped, extra fields are not kept', () => {
    const references = createConversationReferences({
      saved: [
        { key: HELPDESK, reference: { ...stripped, user: { id: '29:1', name: 'Ada Lovelace' } } },
        { key: 'a:broken', reference: { conversation: { id: 'a:broken' } } },
        { key: 'a:null', reference: null },
      ],
    });
    expect(references.forChannel(HELPDESK)).toEqual(stripped);
    expect(references.forChannel('a:broken')).toBeUndefined();
    expect(references.forChannel('a:null')).toBeUndefined();
  });

  test('a channel learned by one process is reached by the next one opening the same store file', async () => {
    const db = openDatabase(':memory:');
    try {
      const store = createSqliteConversationStore(db);
      const logger = { warn: vi.fn() };
      const settings = { appId: '5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b' };
      const first = await loadConversationReferences({ conversations: store, logger }, settings);
      first.learn(threadReference, HELPDESK);
      // The write runs behind the turn that learned it: wait until it is in the table.
      await vi.waitFor(async () => expect(await store.list('teams')).toHaveLength(1));
      const next = await loadConversationReferences(
        { helpdesk: HELPDESK, conversations: store, logger },
        settings,
      );
      expect(next.forChannel(HELPDESK)).toEqual(stripped);
      expect(logger.warn).not.toHaveBeenCalled();
    } finally {
      db.close();
    }
  });

  test('in Emulator mode (no app id) only references to a local Bot Connector are read back', async () => {
    const db = openDatabase(':memory:');
    try {
      const store = createSqliteConversationStore(db);
      const local = { ...stripped, serviceUrl: 'http://127.0.0.1:3979/' };
      await store.put('teams', HELPDESK, stripped); // learned while serve ran with an app id
      await store.put('teams', 'a:local', { ...local, conversation: { id: 'a:local' } });
      await store.put('teams', 'a:bad-url', {
        ...local,
        serviceUrl: 'not a url',
        conversation: { id: 'a:bad-url' },
      });
      const logger = { warn: vi.fn() };
      const emulator = await loadConversationReferences({ conversations: store, logger }, { appId: '' });
      expect(emulator.forChannel(HELPDESK)).toBeUndefined();
      expect(emulator.forChannel('a:local')?.serviceUrl).toBe('http://127.0.0.1:3979/');
      expect(emulator.forChannel('a:bad-url')).toBeUndefined();
      const authenticated = await loadConversationReferences(
        { conversations: store, logger },
        { appId: '5f1c7a3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b' },
      );
      expect(authenticated.forChannel(HELPDESK)).toEqual(stripped);
    } finally {
      db.close();
    }
  });

  test('a store that fails to write is logged; the reference is still used by this process', async () => {
    const logger = { warn: vi.fn() };
    const store = {
      list: async () => [],
      put: async () => {
        throw new Error('SQLITE_FULL');
      },
    };
    const references = await loadConversationReferences({ conversations: store, logger }, { appId: '' });
    references.learn(threadReference, HELPDESK);
    expect(references.forChannel(HELPDESK)).toEqual(stripped);
    await vi.waitFor(() =>
      expect(logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ conversation: HELPDESK }),
        'conversation reference not stored',
      ),
    );
  });
});

describe('card refs', () => {
  test('keep the ids and the service URL, and read back what they wrote', () => {
    const ref = cardRef(threadReference, 'act-7');
    expect(ref).toBeDefined();
    expect(ref).not.toContain('Ada Lovelace');
    expect(parseCardRef(ref)).toEqual({
      id: 'act-7',
      reference: {
        serviceUrl: SERVICE,
        channelId: 'msteams',
        activityId: '1700000000555',
        bot: { id: '28:bot-app' },
        conversation: {
          id: `${HELPDESK};messageid=1700000000500`,
          isGroup: true,
          conversationType: 'channel',
          tenantId: 'tenant-1',
        },
      },
    });
  });

  test.for([
    { desc: 'no message', ref: undefined },
    { desc: 'not JSON', ref: '1700000000.123' },
    { desc: 'no conversation', ref: JSON.stringify({ id: 'x', reference: { serviceUrl: SERVICE } }) },
  ])('$desc is no card', ({ ref }) => {
    expect(parseCardRef(ref)).toBeUndefined();
  });

  test('a reference that cannot address a message gives no ref', () => {
    expect(cardRef({ conversation: { id: 'a:1' } }, 'act-1')).toBeUndefined();
    expect(cardRef(threadReference, '')).toBeUndefined();
  });
});

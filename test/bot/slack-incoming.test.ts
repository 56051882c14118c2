import { describe, expect, test } from 'vitest';
import { fromDirectMessage, fromMention, fromShortcut } from '../../src/bot/incoming/slack.js';
import { plainText } from '../../src/bot/render/slack.js';

describe('plainText turns Slack markup back into what the user typed', () => {
  test.for([
    {
      desc: 'auto-linked host',
      slack: 'rdp 0x904 on <http://srv-fin-02.corp.example|srv-fin-02.corp.example>',
      typed: 'rdp 0x904 on srv-fin-02.corp.example',
    },
    {
      desc: 'bare link',
      slack: 'gateway <https://rdg.corp.example>',
      typed: 'gateway https://rdg.corp.example',
    },
    { desc: 'entities', slack: 'error &lt;0x204&gt; &amp; 0x7', typed: 'error <0x204> & 0x7' },
    {
      desc: 'user and channel mentions',
      slack: '<@U0USER1> in <#C0HELP|helpdesk>',
      typed: '@U0USER1 in helpdesk',
    },
    { desc: 'special mention', slack: '<!here> rdp down', typed: '@here rdp down' },
    { desc: 'mailto', slack: 'mail <mailto:a@b.example|a@b.example>', typed: 'mail a@b.example' },
  ])('$desc', ({ slack, typed }) => {
    expect(plainText(slack)).toBe(typed);
  });
});

describe('which messages are answered', () => {
  const dm = { channel: 'D1', ts: '1.1', user: 'U1', text: 'rdp 0x904 on srv-fin-02', channel_type: 'im' };
  test('a DM is answered in the DM, a reply in a DM thread in that thread', () => {
    expect(fromDirectMessage(dm, 'UBOT')?.target).toEqual({ channel: 'D1' });
    expect(fromDirectMessage({ ...dm, thread_ts: '0.9' }, 'UBOT')?.target).toEqual({
      channel: 'D1',
      thread: '0.9',
    });
  });
  test.for([
    { desc: 'edit', change: { subtype: 'message_changed' } },
    { desc: 'deletion', change: { subtype: 'message_deleted' } },
    { desc: 'other bot', change: { bot_id: 'B1' } },
    { desc: 'own message', change: { user: 'UBOT' } },
    { desc: 'edited flag', change: { edited: { user: 'U1', ts: '1.2' } } },
    { desc: 'channel message', change: { channel_type: 'channel' } },
  ])('ignores $desc', ({ change }) => {
    expect(fromDirectMessage({ ...dm, ...change }, 'UBOT')).toBeNull();
  });
  test('a mention loses the bot mention and answers in the thread', () => {
    const mention = { channel: 'C1', ts: '2.1', user: 'U1', text: '<@UBOT> rdp 0x904 on srv-fin-02' };
    const translated = fromMention(mention, 'UBOT');
    expect(translated?.incoming.text.trim()).toBe('rdp 0x904 on srv-fin-02');
    expect(translated?.target).toEqual({ channel: 'C1', thread: '2.1' });
  });
  test("the shortcut triages the post, on behalf of the agent, in the post's thread", () => {
    const translated = fromShortcut(
      { channel: 'C1', ts: '3.1', user: 'U2', text: 'rdp 0x904', thread_ts: '3.0' },
      'UAGENT',
    );
    expect(translated.incoming.user).toBe('UAGENT');
    expect(translated.target).toEqual({ channel: 'C1', thread: '3.0' });
  });
});

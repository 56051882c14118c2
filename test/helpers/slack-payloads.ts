import { BOT_USER_ID, TEAM_ID } from './slack-api-server.js';

/** Request bodies shaped like Slack's real deliveries (Events API, slash command, interactivity). */

let counter = 0;
const next = () => {
  counter += 1;
  return counter;
};

export function messageTs(): string {
  return `1710000000.${String(next()).padStart(6, '0')}`;
}

/** An Events API `event_callback` envelope around `event`. */
export function eventEnvelope<E extends Record<string, unknown>>(
  event: E,
  eventId = `Ev${String(next()).padStart(8, '0')}`,
) {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: 'A0TEST01',
    event: { event_ts: event.ts, ...event } as E & { event_ts: unknown },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

export function directMessage(text: string, extra: Record<string, unknown> = {}) {
  return eventEnvelope({
    type: 'message',
    channel: 'D0USER001',
    channel_type: 'im',
    user: 'U0USER001',
    text,
    ts: messageTs(),
    client_msg_id: `m-${next()}`,
    team: TEAM_ID,
    ...extra,
  });
}

export function mention(text: string, extra: Record<string, unknown> = {}) {
  return eventEnvelope({
    type: 'app_mention',
    channel: 'C0HELPDSK',
    user: 'U0AGENT01',
    text: `<@${BOT_USER_ID}> ${text}`,
    ts: messageTs(),
    team: TEAM_ID,
    ...extra,
  });
}

/** A slash command as Slack posts it: application/x-www-form-urlencoded. */
export function slashCommand(text: string, responseUrl: string, channel = 'C0HELPDSK'): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    team_domain: 'test',
    channel_id: channel,
    channel_name: 'helpdesk',
    user_id: 'U0AGENT01',
    user_name: 'agent',
    command: '/rdp',
    text,
    api_app_id: 'A0TEST01',
    response_url: responseUrl,
    trigger_id: `${next()}.1.abc`,
  }).toString();
}

/** An interactivity payload: form field `payload` holding JSON. */
export function interactive(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function messageShortcut(message: { text: string; ts: string; user?: string }, responseUrl: string) {
  return interactive({
    type: 'message_action',
    callback_id: 'triage_message',
    trigger_id: `${next()}.1.def`,
    message_ts: message.ts,
    response_url: responseUrl,
    message: { type: 'message', user: message.user ?? 'U0USER002', ts: message.ts, text: message.text },
    user: { id: 'U0AGENT01', name: 'agent', team_id: TEAM_ID },
    channel: { id: 'C0HELPDSK', name: 'helpdesk' },
    team: { id: TEAM_ID, domain: 'test' },
    token: 'legacy-verification-token',
    action_ts: String(Date.now() / 1000),
  });
}

/** A click on a button of a message the bot posted. */
export function buttonClick(
  button: { action_id: string; value?: string; block_id: string },
  message: { ts: string; channel: string; thread_ts?: string },
  responseUrl: string,
  user = 'U0USER001',
) {
  return interactive({
    type: 'block_actions',
    user: { id: user, username: 'user', team_id: TEAM_ID },
    api_app_id: 'A0TEST01',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: `${next()}.1.ghi`,
    team: { id: TEAM_ID, domain: 'test' },
    channel: { id: message.channel, name: 'directmessage' },
    message: {
      type: 'message',
      ts: message.ts,
      ...(message.thread_ts && { thread_ts: message.thread_ts }),
      text: '',
    },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: button.block_id,
        value: button.value,
        text: { type: 'plain_text', text: 'button' },
        action_ts: String(Date.now() / 1000),
      },
    ],
  });
}

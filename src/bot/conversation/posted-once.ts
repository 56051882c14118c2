import type { Reply } from '../../report/reply.js';
import type { Surface } from './ports.js';

/**
 * The Surface of a platform whose messages can be edited by id (Slack `ts`, a Mattermost post
 * id): the first reply is posted, every later one edits that message; with `existing` ("Run probes
 * again" in the same message) even the first reply is an edit. `M` is the platform's message.
 */
export function postedOnce<M>({
  minUpdateIntervalMs,
  existing,
  render,
  send,
  edit,
}: {
  minUpdateIntervalMs: number;
  existing?: string | undefined;
  render: (reply: Reply) => M;
  /** Posts a new message; resolves to its id. */
  send: (message: M) => Promise<string>;
  edit: (id: string, message: M) => Promise<unknown>;
}): Surface & { readonly messageRef: string | undefined } {
  let id = existing;
  const update = async (reply: Reply) => {
    if (id === undefined) throw new Error('an edit before the first post');
    await edit(id, render(reply));
  };
  return {
    minUpdateIntervalMs,
    get messageRef() {
      return id;
    },
    update,
    async post(reply) {
      if (id !== undefined) return update(reply);
      id = await send(render(reply));
    },
  };
}

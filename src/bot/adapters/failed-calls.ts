import { type ApiErrorListener, thrownReason } from './api-errors.js';

/**
 * Reports every failed call of `methods` on `client` (a platform SDK object: botbuilder's adapter)
 * as `platform`/`method` with the reason `thrownReason` gives; the error still reaches the caller.
 * The methods are wrapped on the object itself, so the calls the SDK makes through it (a reply in
 * a user's turn, a proactive send, an invoke's answer) are counted as well as the bot's own.
 */
export function countFailedCalls<C extends object>(
  client: C,
  methods: readonly (keyof C & string)[],
  platform: 'slack' | 'teams',
  onError: ApiErrorListener,
): C {
  for (const method of methods) {
    const call = client[method] as (...args: unknown[]) => Promise<unknown>;
    const counted = (...args: unknown[]) =>
      call.apply(client, args).catch((error: unknown) => {
        onError(platform, method, thrownReason(error));
        throw error;
      });
    Object.defineProperty(client, method, { value: counted, configurable: true, writable: true });
  }
  return client;
}

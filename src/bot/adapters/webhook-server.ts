import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { ChatCore } from '../conversation/chat-core.js';
import { type JsonAnswer, type JsonEndpointOptions, listenJson } from './json-endpoint.js';
import type { SurfaceOptions } from './surface-core.js';

/** What serve (or a test) gives every webhook-style surface besides its own settings. */
export type WebhookSurfaceOptions = SurfaceOptions & {
  /** Edit budget per message (the platform's rate limit for edits; platform-limits.md). */
  minUpdateIntervalMs?: number;
  /** How long a user's turn waits for the first message before posting it out of band (answerInTurn). */
  turnBudgetMs?: number;
};

/** A webhook-style chat surface as serve runs it: one JSON endpoint in front of the conversation core. */
export interface WebhookServer {
  /** `http://host:port/path` */
  url: string;
  port: number;
  /** false in emulator mode: requests are not authenticated. */
  authenticated: boolean;
  /**
   * Stops taking requests. Running triages go on editing their messages (serve's shutdown drains
   * them); `drain` waits for them, aborting the rest after `graceMs`.
   */
  stop(): Promise<void>;
  drain(graceMs?: number): Promise<void>;
  /** Resolves once every triage started so far has finished its message (a barrier for tests). */
  idle(): Promise<void>;
  /** For /readyz: the HTTP listener is up. */
  health(): { ok: boolean; detail?: string };
  /** Replaces the message of a triage another replica lost; false when it was never posted. */
  tellInterrupted(message: { messageRef?: string }, text: string): Promise<boolean>;
}

export interface WebhookOptions<T> extends Omit<JsonEndpointOptions, 'handle' | 'admit'> {
  /** What a body must be before the platform's SDK sees it; anything else is answered 400. */
  schema: z.ZodType<T>;
  /** Names the body in that answer: `invalid activity: from.id: …`. */
  noun: string;
  /**
   * Requests carry a bearer token the platform's SDK verifies in `handle` (a request without one
   * is refused unread). false: a local emulator, nothing is verified, which is logged loudly.
   */
  authenticated: boolean;
  /** Says who listens (`{ appId }`) in the line logged once listening with authentication. */
  identity?: Record<string, unknown>;
  /** Emulator mode: the setting that turns authentication on, and the emulator it is for. */
  emulator: { setting: string; name: string };
  /** Where a body says replies go (`serviceUrl`); without authentication it must be loopback. */
  replyUrl: { field: string; of: (body: T) => string };
  /** The status for what the SDK's token check threw; undefined: no authentication failure (500). */
  authFailure?: (error: unknown) => number | undefined;
  handle(body: T, headers: IncomingHttpHeaders): Promise<JsonAnswer>;
  core: ChatCore;
  /** Edits the message `messageRef` names; false when there is none to edit. */
  tellInterrupted(messageRef: string | undefined, text: string): Promise<boolean>;
}

/**
 * Serves a webhook-style surface on `listenJson`: the bearer token demanded, each body checked
 * against `schema` (the first problem named in the 400), replies kept on loopback without
 * authentication, authentication failures answered 401 (or the status the SDK gives), and the
 * shutdown, barrier and health calls answered by the core and the listener.
 */
export async function serveWebhook<T>(options: WebhookOptions<T>): Promise<WebhookServer> {
  const { core, authenticated } = options;
  const listener = await listenJson({
    ...options,
    admit: (headers) =>
      authenticated && !headers.authorization ? { status: 401, body: { error: 'unauthorized' } } : undefined,
    handle: (body, headers) => checked(options, body, headers),
  });
  logListening(options, listener.url);
  return {
    url: listener.url,
    port: listener.port,
    authenticated,
    stop: () => listener.stop(),
    drain: (graceMs) => core.drain(graceMs),
    idle: () => core.idle(),
    health: () => (listener.listening() ? { ok: true } : { ok: false, detail: 'HTTP listener closed' }),
    tellInterrupted: ({ messageRef }, text) => options.tellInterrupted(messageRef, text),
  };
}

async function checked<T>(options: WebhookOptions<T>, body: unknown, headers: IncomingHttpHeaders) {
  const parsed = options.schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : '';
    return { status: 400, body: { error: `invalid ${options.noun}: ${where}` } };
  }
  const { authenticated, emulator, replyUrl } = options;
  if (!authenticated && !isLoopbackUrl(replyUrl.of(parsed.data))) {
    const error = `without ${emulator.setting} only a local ${replyUrl.field} (${emulator.name}) is accepted`;
    return { status: 400, body: { error } };
  }
  try {
    return await options.handle(parsed.data, headers);
  } catch (error) {
    const status = (options.authFailure ?? jwtFailureStatus)(error);
    if (status === undefined) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    options.log.warn({ status, reason }, `${options.listenHint[0]} request rejected`);
    return { status, body: { error: status === 401 ? 'unauthorized' : 'authentication unavailable' } };
  }
}

function logListening<T>(
  { authenticated, identity, emulator, listenHint, log }: WebhookOptions<T>,
  url: string,
) {
  const [who] = listenHint;
  if (authenticated) log.info({ url, ...identity }, `${who} bot listening; requests are JWT-verified`);
  else
    log.warn(
      { url },
      `${who.toUpperCase()} AUTHENTICATION IS OFF: no ${emulator.setting}, so requests are NOT verified. Use this only with the local ${emulator.name}.`,
    );
}

/**
 * Whether a URL a request names points back at this machine. Without authentication (a local
 * emulator) a surface replies only to such a URL, so an unverified request cannot make the bot
 * send its messages, or fetch files, anywhere else.
 */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The status for an error a bearer-JWT check threw: the HTTP status it carries (botframework-
 * connector's `AuthenticationError`), or 401 for the token errors jsonwebtoken lets escape (bad
 * signature, alg none, expired, not yet valid). undefined: not an authentication failure.
 */
export function jwtFailureStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (error.name === 'AuthenticationError' || typeof status === 'number')
    return typeof status === 'number' && status >= 400 && status < 600 ? status : 401;
  if (['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes(error.name)) return 401;
  return undefined;
}

/** Request headers carrying the bot's bearer token; none while the token source has none (emulator mode). */
export function bearerHeaders(
  token: () => Promise<string | undefined>,
): () => Promise<Record<string, string>> {
  return async () => {
    const bearer = await token();
    return bearer ? { authorization: `Bearer ${bearer}` } : {};
  };
}

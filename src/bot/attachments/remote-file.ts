import { type AttachedFile, downloadImage } from './images.js';

export interface RemoteFile {
  name: string;
  mimetype?: string;
  url: string;
}

export interface RemoteFileAccess {
  /** Whether `url` may be fetched (and carry the credentials): the platform's own file hosts only. */
  trusted: (url: URL) => boolean;
  /** Said to the user when a payload names any other host ("files are only fetched from Slack, not …"). */
  refusal: (host: string) => string;
  /** Request headers (the bot's token), asked for only once the address was checked. */
  headers?: () => Promise<Record<string, string>>;
  fetch?: typeof globalThis.fetch;
}

/**
 * A platform's file as an attachment the conversation downloads lazily. The address is checked
 * before the token is even fetched: a bot token goes to the platform's file host, never to
 * whatever URL a payload names.
 */
export function remoteFile(
  { name, mimetype, url }: RemoteFile,
  { trusted, refusal, headers = async () => ({}), fetch = globalThis.fetch }: RemoteFileAccess,
): AttachedFile {
  return {
    name,
    ...(mimetype && { mimetype }),
    download: async ({ signal, limits }) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return { problem: 'download-failed', detail: 'the file has no valid address' };
      }
      if (!trusted(parsed)) return { problem: 'download-failed', detail: refusal(parsed.host) };
      return downloadImage(url, { headers: await headers(), signal, limits, fetch });
    },
  };
}

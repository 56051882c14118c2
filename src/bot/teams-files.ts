import type { Attachment } from 'botbuilder';
import { type AttachedFile, downloadImage } from './images.js';
import { isRdpAttachment } from './rdp-attachments.js';

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

export interface TeamsFileOptions {
  /** The activity's serviceUrl: inline images live there and need the bot's token. */
  serviceUrl: string;
  /** The bot's Bot Connector token, or undefined in Emulator mode (no auth). */
  token: () => Promise<string | undefined>;
  fetch?: typeof globalThis.fetch;
}

/**
 * Screenshots and .rdp files attached to a Teams message, as `AttachedFile`s the conversation reads lazily.
 *
 * * A pasted image is an `image/*` attachment whose `contentUrl` is on the Bot Connector
 *   (`…/v3/attachments/{id}/views/original`) and needs the bot's token. The token is only ever
 *   sent to the activity's own serviceUrl host (which the request's JWT vouched for).
 * * A file sent in a 1:1 chat (`supportsFiles`) arrives as `file.download.info` with a
 *   pre-authenticated SharePoint `downloadUrl`: fetched without a token, from SharePoint only.
 * Everything else (the `text/html` copy of the message, cards) is not a file.
 */
export function teamsAttachments(
  attachments: readonly Attachment[] | undefined,
  { serviceUrl, token, fetch = globalThis.fetch }: TeamsFileOptions,
): AttachedFile[] {
  const serviceHost = new URL(serviceUrl).host;
  return (attachments ?? []).flatMap((attachment, index): AttachedFile[] => {
    const name = attachment.name ?? `image ${index + 1}`;
    const mimetype = attachment.contentType;
    // An .rdp file uploaded to the Bot Connector's attachment store (Web Chat, Emulator, a
    // connector-hosted contentUrl) is fetched like a pasted image: same host check, same token.
    const rdpFile =
      mimetype !== FILE_DOWNLOAD_INFO && isRdpAttachment({ name, ...(mimetype && { mimetype }) });
    if ((mimetype?.startsWith('image/') || rdpFile) && attachment.contentUrl) {
      const url = attachment.contentUrl;
      return [
        {
          name,
          ...(mimetype && { mimetype }),
          download: async ({ signal, limits }) => {
            if (hostOf(url) !== serviceHost)
              return {
                problem: 'download-failed',
                detail: 'attachments are only fetched from the Bot Connector',
              };
            const bearer = await token();
            const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
            return downloadImage(url, { headers, signal, limits, fetch });
          },
        },
      ];
    }
    if (attachment.contentType === FILE_DOWNLOAD_INFO) {
      const url = (attachment.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
      if (typeof url !== 'string') return [];
      return [
        {
          name,
          download: async ({ signal, limits }) => {
            const host = hostOf(url);
            if (!host?.endsWith('.sharepoint.com') || !url.startsWith('https://'))
              return { problem: 'download-failed', detail: 'files are only fetched from SharePoint' };
            return downloadImage(url, { signal, limits, fetch });
          },
        },
      ];
    }
    return [];
  });
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

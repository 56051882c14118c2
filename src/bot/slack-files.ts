import { type AttachedFile, downloadImage } from './images.js';

/** The fields of a Slack file object the bot reads (https://docs.slack.dev/reference/objects/file-object). */
export interface SlackFileLike {
  id?: string;
  name?: string;
  mimetype?: string;
  url_private?: string;
  url_private_download?: string;
}

/**
 * Slack files (screenshots, .rdp files) as attachments. `url_private` needs the bot token (scope `files:read`); the token is
 * sent only to Slack's file host or to the configured API host (GovSlack, tests), never to
 * whatever URL a payload names.
 */
export function slackAttachments(
  files: readonly SlackFileLike[] | undefined,
  {
    botToken,
    apiUrl,
    fetch = globalThis.fetch,
  }: { botToken: string; apiUrl?: string; fetch?: typeof globalThis.fetch },
): AttachedFile[] {
  const trustedHosts = new Set(['files.slack.com']);
  if (apiUrl) trustedHosts.add(new URL(apiUrl).hostname);
  return (files ?? []).flatMap((file): AttachedFile[] => {
    const url = file.url_private_download ?? file.url_private;
    if (!url) return [];
    const name = file.name ?? file.id ?? 'attachment';
    return [
      {
        name,
        ...(file.mimetype && { mimetype: file.mimetype }),
        download: async ({ signal, limits }) => {
          let host: string;
          try {
            host = new URL(url).hostname;
          } catch {
            return { problem: 'download-failed', detail: 'the file has no valid address' };
          }
          if (!trustedHosts.has(host))
            return { problem: 'download-failed', detail: `files are only fetched from Slack, not ${host}` };
          return downloadImage(url, {
            headers: { authorization: `Bearer ${botToken}` },
            signal,
            limits,
            fetch,
          });
        },
      },
    ];
  });
}

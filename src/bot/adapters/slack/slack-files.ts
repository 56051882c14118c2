import type { AttachedFile } from '../../attachments/images.js';
import { remoteFile } from '../../attachments/remote-file.js';

/** The fields of a Slack file object the bot reads (https://docs.slack.dev/reference/objects/file-object). */
interface SlackFileLike {
  id?: string;
  name?: string;
  mimetype?: string;
  url_private?: string;
  url_private_download?: string;
}

/** Slack files as attachments: `url_private` needs the bot token (scope `files:read`), sent to Slack's hosts only. */
export function slackAttachments(
  files: unknown,
  { botToken, apiUrl }: { botToken: string; apiUrl?: string },
): AttachedFile[] {
  const trustedHosts = new Set(['files.slack.com', ...(apiUrl ? [new URL(apiUrl).hostname] : [])]);
  return ((files ?? []) as SlackFileLike[]).flatMap((file): AttachedFile[] => {
    const url = file.url_private_download ?? file.url_private;
    if (!url) return [];
    const access = {
      trusted: (address: URL) => trustedHosts.has(address.hostname),
      refusal: (host: string) => `files are only fetched from Slack, not ${host}`,
      headers: async () => ({ authorization: `Bearer ${botToken}` }),
    };
    return [
      remoteFile(
        {
          name: file.name ?? file.id ?? 'attachment',
          ...(file.mimetype && { mimetype: file.mimetype }),
          url,
        },
        access,
      ),
    ];
  });
}

import type { AttachedFile } from './images.js';
import { remoteFile } from './remote-file.js';

/** A Slack message's `files` field, as events and payloads carry it. */
export type FilesOf = (message: { files?: unknown }) => AttachedFile[];

/** Slack's files as attachments: the token goes to files.slack.com or the configured API host only. */
/** Reads a message's files with the bot token (scope `files:read`), from Slack's own hosts only. */
export function slackFiles(botToken: string, apiUrl?: string): FilesOf {
  const hosts = new Set(['files.slack.com', ...(apiUrl ? [new URL(apiUrl).hostname] : [])]);
  const access = {
    trusted: (address: URL) => hosts.has(address.hostname),
    refusal: (host: string) => `files are only fetched from Slack, not ${host}`,
    headers: async () => ({ authorization: `Bearer ${botToken}` }),
  };
  type SlackFile = {
    id?: string;
    name?: string;
    mimetype?: string;
    url_private?: string;
    url_private_download?: string;
  };
  return ({ files }) =>
    ((files ?? []) as SlackFile[]).flatMap((file) => {
      const url = file.url_private_download ?? file.url_private;
      const name = file.name ?? file.id ?? 'attachment';
      return url
        ? [remoteFile({ name, ...(file.mimetype && { mimetype: file.mimetype }), url }, access)]
        : [];
    });
}

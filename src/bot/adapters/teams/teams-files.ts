import type { Activity } from 'botbuilder';
import type { AttachedFile } from '../../attachments/images.js';
import { isRdpAttachment } from '../../attachments/rdp-files.js';
import { type RemoteFileAccess, remoteFile } from '../../attachments/remote-file.js';
import { bearerHeaders } from '../webhook-server.js';

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

interface TeamsFileOptions {
  token: () => Promise<string | undefined>;
  fetch?: typeof globalThis.fetch;
}

/**
 * Screenshots and .rdp files of a Teams message. A pasted image (or an .rdp file in the Bot
 * Connector's store) lives on the activity's serviceUrl, which the request's JWT vouched for, and
 * needs the bot's token; a 1:1 chat file (`file.download.info`) is a pre-authenticated SharePoint
 * URL, fetched without one. Everything else (the `text/html` copy of the message, cards) is no file.
 */
export function teamsAttachments(
  { attachments, serviceUrl }: Pick<Activity, 'attachments' | 'serviceUrl'>,
  { token, fetch = globalThis.fetch }: TeamsFileOptions,
): AttachedFile[] {
  const serviceHost = new URL(serviceUrl).host;
  const connector: RemoteFileAccess = {
    fetch,
    trusted: (address) => address.host === serviceHost,
    refusal: () => 'attachments are only fetched from the Bot Connector',
    headers: bearerHeaders(token),
  };
  return (attachments ?? []).flatMap((attachment, index): AttachedFile[] => {
    const name = attachment.name ?? `image ${index + 1}`;
    const mimetype = attachment.contentType;
    if (mimetype === FILE_DOWNLOAD_INFO) return sharePointFile(name, attachment.content, fetch);
    const rdpFile = isRdpAttachment({ name, ...(mimetype && { mimetype }) });
    if (!(mimetype?.startsWith('image/') || rdpFile) || !attachment.contentUrl) return [];
    return [remoteFile({ name, ...(mimetype && { mimetype }), url: attachment.contentUrl }, connector)];
  });
}

function sharePointFile(name: string, content: unknown, fetch: typeof globalThis.fetch): AttachedFile[] {
  const url = (content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
  if (typeof url !== 'string') return [];
  const trusted = (address: URL) => address.protocol === 'https:' && address.host.endsWith('.sharepoint.com');
  return [
    remoteFile({ name, url }, { trusted, refusal: () => 'files are only fetched from SharePoint', fetch }),
  ];
}

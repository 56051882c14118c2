import type { Attachment } from 'botbuilder';
import type { AttachedFile } from '../../attachments/images.js';
import { isRdpAttachment } from '../../attachments/rdp-files.js';
import { remoteFile } from '../../attachments/remote-file.js';

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/**
 * Screenshots and .rdp files of a Teams message. A pasted image (or an .rdp file in the Bot
 * Connector's store) lives on the activity's serviceUrl, which the request's JWT vouched for, and
 * needs the bot's token; a 1:1 chat file (`file.download.info`) is a pre-authenticated SharePoint
 * URL, fetched without one. Everything else (the `text/html` copy of the message, cards) is no file.
 */
export function teamsAttachments(
  attachments: readonly Attachment[] | undefined,
  {
    serviceUrl,
    token,
    fetch = globalThis.fetch,
  }: { serviceUrl: string; token: () => Promise<string | undefined>; fetch?: typeof globalThis.fetch },
): AttachedFile[] {
  const serviceHost = new URL(serviceUrl).host;
  return (attachments ?? []).flatMap((attachment, index): AttachedFile[] => {
    const name = attachment.name ?? `image ${index + 1}`;
    const mimetype = attachment.contentType;
    if (mimetype === FILE_DOWNLOAD_INFO) {
      const url = (attachment.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
      if (typeof url !== 'string') return [];
      const sharePoint = (address: URL) =>
        address.protocol === 'https:' && address.host.endsWith('.sharepoint.com');
      return [
        remoteFile(
          { name, url },
          { trusted: sharePoint, refusal: () => 'files are only fetched from SharePoint', fetch },
        ),
      ];
    }
    const rdpFile = isRdpAttachment({ name, ...(mimetype && { mimetype }) });
    if (!(mimetype?.startsWith('image/') || rdpFile) || !attachment.contentUrl) return [];
    const access = {
      fetch,
      trusted: (address: URL) => address.host === serviceHost,
      refusal: () => 'attachments are only fetched from the Bot Connector',
      headers: async (): Promise<Record<string, string>> => {
        const bearer = await token();
        return bearer ? { authorization: `Bearer ${bearer}` } : {};
      },
    };
    return [remoteFile({ name, ...(mimetype && { mimetype }), url: attachment.contentUrl }, access)];
  });
}

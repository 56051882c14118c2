import type { Duplex } from 'node:stream';
import { connect, rootCertificates, type TLSSocket } from 'node:tls';
import { serverNameFor } from './certificate.js';

/**
 * TLS client handshake over an already open stream (a tunnel or a socket, after RDP negotiation
 * or straight away on 443). Never rejects an untrusted peer: the certificate is what we came to
 * read. Trust is still computed (system roots plus `extraCa`) and reported.
 */
export function startTls(
  stream: Duplex,
  { name, extraCa = [], signal }: { name: string; extraCa?: string[]; signal: AbortSignal },
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const servername = serverNameFor(name);
    const socket = connect({
      socket: stream,
      ...(servername && { servername }),
      rejectUnauthorized: false,
      ca: extraCa.length > 0 ? [...rootCertificates, ...extraCa] : [...rootCertificates],
      // The hostname is judged separately (checkServerIdentity) so a mismatch is a finding.
      checkServerIdentity: () => undefined,
    });
    const cleanup = () => {
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onSecure = () => {
      cleanup();
      socket.on('error', () => {});
      resolve(socket);
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onClose = () => onError(new Error('connection closed during the TLS handshake'));
    const onAbort = () => onError(new Error('aborted'));
    if (signal.aborted) return onAbort();
    socket.once('secureConnect', onSecure);
    socket.once('error', onError);
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

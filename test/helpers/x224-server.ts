import { createServer, type Server, type Socket } from 'node:net';
import { PROTOCOL } from '../../src/probes/x224.js';

/** Real X.224 Connection Confirm bytes captured from the lab servers (lab-notes §3). */
export const CONFIRM = {
  /** freerdp-shadow /sec:nla answering SSL|HYBRID: RDP_NEG_RSP selecting HYBRID, flags 0x03. */
  nla: Buffer.from('030000130ed000000000000203080002000000', 'hex'),
  /** xrdp security_layer=negotiate: RDP_NEG_RSP selecting SSL. */
  tls: Buffer.from('030000130ed000001234000201080001000000', 'hex'),
  /** freerdp-shadow /sec:nla answering a TLS-only request: RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER. */
  hybridRequired: Buffer.from('030000130ed000000000000300080005000000', 'hex'),
  /** freerdp-shadow with its default security (TLS and NLA on) answering a TLS-only request: RSP SSL, flags 0x03 (measured with freerdp-shadow-cli 2.11.7). */
  tlsFromShadow: Buffer.from('030000130ed000000000000203080001000000', 'hex'),
} as const;

export type X224Answer = Buffer | null;
/** Chooses the answer from the request's requestedProtocols (RDP_NEG_REQ), or -1 without one. */
export type X224Responder = (requestedProtocols: number) => X224Answer | Promise<X224Answer>;

/**
 * A server that selects CredSSP when the offer includes it and answers a TLS-only offer the way a
 * server with NLA `required` does (RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER, FreeRDP /sec:nla) or
 * one with NLA `optional` (RDP_NEG_RSP selecting TLS), with the real bytes of each.
 */
export function nlaServer(nla: 'required' | 'optional'): X224Responder {
  return (requested) =>
    requested >= 0 && (requested & (PROTOCOL.HYBRID | PROTOCOL.HYBRID_EX)) !== 0
      ? CONFIRM.nla
      : nla === 'required'
        ? CONFIRM.hybridRequired
        : CONFIRM.tlsFromShadow;
}

/**
 * A loopback TCP server that answers each X.224 Connection Request with `answer` (or what the
 * responder picks for its requestedProtocols), or never answers when that is null (an open but
 * hung RDP server). `requests` lists the requestedProtocols of every request received.
 */
export async function startX224Server(
  answer: X224Answer | X224Responder,
): Promise<{ port: number; close: () => Promise<void>; requests: number[]; server: Server }> {
  const sockets = new Set<Socket>();
  const requests: number[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', async (data: Buffer) => {
      const requested = data.length >= 19 ? data.readUInt32LE(15) : -1;
      requests.push(requested);
      const reply = typeof answer === 'function' ? await answer(requested) : answer;
      if (reply && !socket.destroyed) socket.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

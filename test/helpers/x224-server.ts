import { createServer, type Server, type Socket } from 'node:net';

/** Real X.224 Connection Confirm bytes captured from the lab servers (lab-notes §3). */
export const CONFIRM = {
  /** freerdp-shadow /sec:nla answering SSL|HYBRID: RDP_NEG_RSP selecting HYBRID, flags 0x03. */
  nla: Buffer.from('030000130ed000000000000203080002000000', 'hex'),
  /** xrdp security_layer=negotiate: RDP_NEG_RSP selecting SSL. */
  tls: Buffer.from('030000130ed000001234000201080001000000', 'hex'),
  /** freerdp-shadow /sec:nla answering a TLS-only request: RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER. */
  hybridRequired: Buffer.from('030000130ed000000000000300080005000000', 'hex'),
} as const;

/**
 * A loopback TCP server that answers each X.224 Connection Request with `answer`, or never
 * answers when `answer` is null (an open but hung RDP server).
 */
export async function startX224Server(
  answer: Buffer | null,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => {
      if (answer) socket.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

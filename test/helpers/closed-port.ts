import { createServer } from 'node:net';

/** A loopback port nothing listens on (on `host`): bound, then closed, so a connect is refused (TCP closed). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

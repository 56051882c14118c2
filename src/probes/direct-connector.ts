import { connect, type Socket } from 'node:net';
import { ConnectFailure, type ConnectFailureKind, type Connector } from './connector.js';

/** Connects straight from the bot's machine: the embedded default when no jump applies. */
export function createDirectConnector(): Connector {
  return {
    label: 'direct',
    open: (host, port, signal) => openSocket(host, port, signal),
  };
}

function openSocket(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new ConnectFailure('timeout', `connect to ${host}:${port} timed out`));
      return;
    }
    const socket = connect({ host, port });
    const onAbort = () => {
      socket.destroy();
      reject(new ConnectFailure('timeout', `connect to ${host}:${port} timed out`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      // Later errors (RST mid-exchange) surface through the reading probe, never as uncaught.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new ConnectFailure(classifyErrno(error.code), error.message, { cause: error }));
    });
  });
}

export function classifyErrno(code: string | undefined): ConnectFailureKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      return 'other';
  }
}

import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { ConnectFailure } from './connector.js';

/**
 * ssh2 reports every direct-tcpip refusal with `reason` 2 (SSH_OPEN_CONNECT_FAILED); only the
 * description tells them apart (lab-notes §5 and gotcha 12). Order matters: `open failed` is
 * sshd's answer when it will not open the channel at all (MaxSessions for session channels,
 * `no more sessions`), not a failed TCP connect on the far side.
 */
export function classifyChannelFailure(error: unknown, where: string): ConnectFailure {
  const text = error instanceof Error ? error.message : String(error);
  const say = (detail: string) => `${where}: ${detail} (jump said: ${text.replace(/^\(SSH\) /, '')})`;
  if (/connection refused/i.test(text)) return new ConnectFailure('refused', say('connection refused'));
  if (/no route to host|network is unreachable|host is unreachable/i.test(text))
    return new ConnectFailure('unreachable', say('no route to host'));
  if (/timed out/i.test(text)) return new ConnectFailure('timeout', say('connect timed out on the jump'));
  if (/name or service not known|no address associated|nodename nor servname/i.test(text))
    return new ConnectFailure('dns', say('the jump cannot resolve the name'));
  if (/temporary failure in name resolution/i.test(text))
    return new ConnectFailure('dns', say("the jump's resolver failed"));
  if (/no response from server|not connected|socket is closed|connection lost/i.test(text))
    return new ConnectFailure('jump', say('the jump connection was lost'), { jumpCode: 'JUMP_UNREACHABLE' });
  if (/open failed|administratively prohibited|resource shortage|unknown channel type/i.test(text))
    return new ConnectFailure('jump', say('the jump refused to open a channel'), {
      jumpCode: 'JUMP_CHANNEL_REFUSED',
    });
  if (/reset/i.test(text)) return new ConnectFailure('reset', say('connection reset'));
  return new ConnectFailure('other', say('channel open failed'));
}

/**
 * Opens a direct-tcpip channel to address:port. ssh2 takes no signal and sshd has no connect
 * timeout (a dropped SYN waits ~134 s, gotcha 9), so on abort this rejects at once and closes the
 * channel whenever sshd finally answers; other channels on the connection are not blocked.
 */
export function openTunnel(
  client: Client,
  address: string,
  port: number,
  signal: AbortSignal,
): Promise<Duplex> {
  const where = `${address}:${port}`;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new ConnectFailure('timeout', `${where}: no answer before the deadline (stage: connect)`));
      return;
    }
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(new ConnectFailure('timeout', `${where}: no answer before the deadline (stage: connect)`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      client.forwardOut('127.0.0.1', 0, address, port, (error: Error | undefined, channel: ClientChannel) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) {
          channel?.on('error', () => {});
          channel?.destroy();
          return;
        }
        settled = true;
        if (error) {
          reject(classifyChannelFailure(error, where));
          return;
        }
        // Errors after open (the far end resets) reach the reading probe as close/end.
        channel.on('error', () => {});
        resolve(channel);
      });
    } catch (error) {
      signal.removeEventListener('abort', onAbort);
      settled = true;
      reject(classifyChannelFailure(error, where));
    }
  });
}

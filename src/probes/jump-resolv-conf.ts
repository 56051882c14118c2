import { isIP } from 'node:net';
import type { NodeSSH } from 'node-ssh';
import { deadlineSignal } from '../deadline-signal.js';
import { DnsLookupError } from './tunnel-resolver.js';

const MAX_BYTES = 64 * 1024;

/** nameserver / search lines of a resolv.conf (resolv.conf(5)); at most 3 servers, like glibc. */
export function parseResolvConf(text: string): { servers: string[]; search: string[] } {
  const servers: string[] = [];
  let search: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, ...values] = line.trim().split(/\s+/);
    if (keyword === 'nameserver' && values[0] && isIP(values[0].replace(/%.*$/, '')) !== 0)
      servers.push(values[0]);
    if (keyword === 'search' || keyword === 'domain')
      search = values.filter((v) => /^[A-Za-z0-9.-]+$/.test(v));
  }
  return { servers: servers.slice(0, 3), search: search.slice(0, 6) };
}

/** Reads the jump's /etc/resolv.conf over SFTP (a fixed path; no command runs). */
export async function readJumpResolvConf(ssh: NodeSSH, timeoutMs: number) {
  const timer = deadlineSignal(timeoutMs);
  const sftp = await ssh.requestSFTP();
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const onAbort = () =>
        reject(new DnsLookupError('ETIMEOUT', "reading the jump's /etc/resolv.conf timed out"));
      timer.addEventListener('abort', onAbort, { once: true });
      const chunks: Buffer[] = [];
      let size = 0;
      const stream = sftp.createReadStream('/etc/resolv.conf', { end: MAX_BYTES - 1 });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BYTES) chunks.push(chunk);
      });
      stream.on('error', (error: Error) => {
        timer.removeEventListener('abort', onAbort);
        reject(new DnsLookupError('ESERVFAIL', `cannot read the jump's /etc/resolv.conf: ${error.message}`));
      });
      stream.on('end', () => {
        timer.removeEventListener('abort', onAbort);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    const conf = parseResolvConf(text);
    if (conf.servers.length === 0)
      throw new DnsLookupError(
        'ESERVFAIL',
        "the jump's /etc/resolv.conf names no nameserver; set dns.servers in the config",
      );
    return conf;
  } finally {
    sftp.end();
  }
}

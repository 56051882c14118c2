// A TLS server at the process edge that answers like the front of an RD Gateway or like a
// TLS-intercepting web proxy, byte for byte on the wire. Windows' RD Gateway (HTTP.sys) answers an
// unauthenticated `RDG_OUT_DATA /remoteDesktopGateway/` with 401 and Negotiate/NTLM challenges;
// node:http rejects that method, so this reads the request head itself.
// Usage: node fake-gateway.mjs rdg|web|proxy ADDRESS PORT CERT KEY
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';

const [mode, address, port, cert, key] = process.argv.slice(2);
const ANSWERS = {
  rdg: [
    'HTTP/1.1 401 Unauthorized',
    'Content-Length: 0',
    'Server: Microsoft-HTTPAPI/2.0',
    'WWW-Authenticate: Negotiate',
    'WWW-Authenticate: NTLM',
    '',
    '',
  ].join('\r\n'),
  // An ordinary web server on the gateway's name (nginx answers an unknown method with 405).
  web: (() => {
    const body =
      '<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center><hr><center>nginx/1.22.1</center></body></html>';
    return [
      'HTTP/1.1 405 Not Allowed',
      'Server: nginx/1.22.1',
      'Content-Type: text/html',
      `Content-Length: ${body.length}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n');
  })(),
  proxy: (() => {
    const body = '<html><body><h1>Access denied</h1><p>Blocked by corporate web filter.</p></body></html>';
    return [
      'HTTP/1.1 403 Forbidden',
      'Server: squid/5.7',
      'Content-Type: text/html',
      `Content-Length: ${body.length}`,
      'X-Squid-Error: ERR_ACCESS_DENIED 0',
      'Via: 1.1 proxy.lab (squid/5.7)',
      'Connection: close',
      '',
      body,
    ].join('\r\n');
  })(),
};
const answer = ANSWERS[mode];
if (!answer) {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (socket) => {
  let head = '';
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n') || head.length > 16_384) {
      process.stdout.write(`${head.split('\r\n')[0]}\n`);
      socket.end(answer);
    }
  });
});
server.on('tlsClientError', () => {});
server.listen(Number(port), address);

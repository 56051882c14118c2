import { describe, expect, test } from 'vitest';
import { classifyGatewayAnswer, parseHttpHead, rdgOutDataRequest } from '../../src/probes/gateway.js';

// Response heads as the servers send them: Windows RD Gateway (HTTP.sys), a squid web filter,
// nginx, a captive portal, IIS with the gateway service stopped.
const head = (...lines: string[]) => parseHttpHead(`${lines.join('\r\n')}\r\n\r\n`);

describe('what answered on the gateway port', () => {
  test.for([
    {
      what: 'RD Gateway: 401 with Negotiate and NTLM',
      head: head(
        'HTTP/1.1 401 Unauthorized',
        'Content-Length: 0',
        'Server: Microsoft-HTTPAPI/2.0',
        'WWW-Authenticate: Negotiate',
        'WWW-Authenticate: NTLM',
      ),
      code: 'GATEWAY_OK',
      status: 'ok',
    },
    {
      what: 'squid web filter',
      head: head(
        'HTTP/1.1 403 Forbidden',
        'Server: squid/5.7',
        'X-Squid-Error: ERR_ACCESS_DENIED 0',
        'Via: 1.1 proxy (squid/5.7)',
      ),
      code: 'GATEWAY_INTERCEPTED',
      status: 'fail',
    },
    {
      what: 'proxy wants credentials',
      head: head('HTTP/1.1 407 Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="corp"'),
      code: 'GATEWAY_INTERCEPTED',
      status: 'fail',
    },
    {
      what: 'captive portal redirect',
      head: head('HTTP/1.1 302 Found', 'Location: https://login.portal.example/'),
      code: 'GATEWAY_INTERCEPTED',
      status: 'fail',
    },
    {
      what: 'nginx',
      head: head('HTTP/1.1 405 Not Allowed', 'Server: nginx/1.22.1'),
      code: 'GATEWAY_NOT_RDG',
      status: 'fail',
    },
    {
      what: 'IIS with the gateway stopped',
      head: head('HTTP/1.1 503 Service Unavailable', 'Server: Microsoft-HTTPAPI/2.0'),
      code: 'GATEWAY_HTTP_ERROR',
      status: 'fail',
    },
    {
      what: 'TLS but not HTTP',
      head: parseHttpHead('\x03\x00\x00\x13'),
      code: 'GATEWAY_NOT_RDG',
      status: 'fail',
    },
  ])('$what → $code', ({ head, code, status }) => {
    expect(classifyGatewayAnswer(head, 'rdg.corp.example')).toMatchObject({ code, status });
  });

  test('a redirect to the gateway itself is not interception', () => {
    const answer = classifyGatewayAnswer(head('HTTP/1.1 302 Found', 'Location: /RDWeb/'), 'rdg.corp.example');
    expect(answer.code).toBe('GATEWAY_NOT_RDG');
  });

  test('the request is the RDG OUT channel a real client opens, with no credentials', () => {
    const request = rdgOutDataRequest('rdg.corp.example', '00000000-0000-4000-8000-000000000000');
    expect(request.startsWith('RDG_OUT_DATA /remoteDesktopGateway/ HTTP/1.1\r\n')).toBe(true);
    expect(request).toContain('Host: rdg.corp.example\r\n');
    expect(request).toContain('RDG-Connection-Id: {00000000-0000-4000-8000-000000000000}\r\n');
    expect(request).not.toMatch(/authorization/i);
    expect(request.endsWith('\r\n\r\n')).toBe(true);
  });
});

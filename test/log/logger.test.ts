import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger, triageLogger } from '../../src/log/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination: stream });
  return { logger, lines, text: () => lines.join('\n'), records: () => lines.map((l) => JSON.parse(l)) };
}

const SECRETS = {
  botToken: 'xoxb-1111111111-2222222222-abcdefABCDEF123456',
  password: 'Winter2026!',
  pasted: 'Sommer#2026',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlc2lnbmF0dXJl',
};

describe('logger', () => {
  test('secrets under secret-like keys never reach a line, at any depth pino redacts', () => {
    const { logger, text } = capture();
    logger.info({ password: SECRETS.password, slack: { botToken: SECRETS.botToken } }, 'starting');
    expect(text()).not.toContain(SECRETS.password);
    expect(text()).not.toContain(SECRETS.botToken);
    expect(text()).toContain('[redacted]');
  });

  test.for([
    [
      'message text',
      (l: ReturnType<typeof capture>['logger']) => l.info(`user wrote mstsc /p:${SECRETS.pasted}`),
    ],
    [
      'a field with free text',
      (l: ReturnType<typeof capture>['logger']) => l.warn({ text: `password=${SECRETS.pasted}` }, 'x'),
    ],
    [
      'a nested field',
      (l: ReturnType<typeof capture>['logger']) =>
        l.warn({ request: { note: `Bearer ${SECRETS.jwt}` } }, 'y'),
    ],
    [
      'an error',
      (l: ReturnType<typeof capture>['logger']) =>
        l.error({ err: new Error(`auth failed for token=${SECRETS.pasted}`) }, 'z'),
    ],
  ] as const)('pasted secrets in %s are redacted', ([, log]) => {
    const { logger, text } = capture();
    log(logger);
    expect(text()).not.toContain(SECRETS.pasted);
    expect(text()).not.toContain(SECRETS.jwt);
    expect(text()).toContain('[redacted]');
  });

  test('a triage child carries triageId and platform on every line; levels filter', () => {
    const { logger, records } = capture();
    const child = triageLogger(logger, { triageId: 't-1', platform: 'slack' });
    child.info({ outcome: 'report' }, 'triage finished');
    child.trace('not shown at debug');
    const lines = records();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', triageId: 't-1', platform: 'slack', outcome: 'report' });
    expect(typeof lines[0].time).toBe('string');
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Connector } from '../../src/probes/connector.js';
import { createSpareConnection } from '../../src/probes/spare-connection.js';

// The hand-over of the tcp probe's open connection to the NLA check (battery.ts).
function base(): Connector & { opened: PassThrough[] } {
  const opened: PassThrough[] = [];
  return {
    label: 'test',
    opened,
    open: async () => {
      const stream = new PassThrough();
      opened.push(stream);
      return stream;
    },
  };
}

const signal = () => AbortSignal.timeout(1000);

describe('createSpareConnection', () => {
  test('an offered connection is handed out once; the next open is a new connection', async () => {
    const spare = createSpareConnection();
    const connector = base();
    const kept = new PassThrough();
    expect(spare.offer(kept)).toBe(true);
    const wrapped = spare.connector(connector);
    expect(await wrapped.open('10.0.0.1', 3389, signal())).toBe(kept);
    expect(await wrapped.open('10.0.0.1', 3389, signal())).not.toBe(kept);
    expect(connector.opened).toHaveLength(1);
    spare.release();
    expect(kept.destroyed).toBe(false); // taken: its new owner closes it
  });

  test('no offer: the open waits for the offering probe, then opens its own', async () => {
    const spare = createSpareConnection();
    const connector = base();
    const opening = spare.connector(connector).open('10.0.0.1', 3389, signal());
    expect(connector.opened).toHaveLength(0);
    spare.none();
    await opening;
    expect(connector.opened).toHaveLength(1);
  });

  test('released before anyone took it: closed, and later offers are refused', async () => {
    const spare = createSpareConnection();
    const kept = new PassThrough();
    spare.offer(kept);
    spare.release();
    await spare.released;
    expect(kept.destroyed).toBe(true);
    expect(spare.offer(new PassThrough())).toBe(false);
  });

  test('a spare the server already closed is not handed out', async () => {
    const spare = createSpareConnection();
    const connector = base();
    const kept = new PassThrough();
    spare.offer(kept);
    kept.destroy();
    expect(await spare.connector(connector).open('10.0.0.1', 3389, signal())).not.toBe(kept);
    expect(connector.opened).toHaveLength(1);
  });
});

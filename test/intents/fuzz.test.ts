import { expect, test } from 'vitest';
import { understand } from '../../src/intents/understand.js';
import { INTENTS } from '../../src/report/understanding.js';
import { createFixtureCodeBook } from './fixture-code-book.js';
import { createFuzzInputs, seededRandom } from './fuzz-inputs.js';

// The full run (100,000 inputs, time per call) is `npm run fuzz:intents`; this is its smaller
// sibling in the unit suite: no input throws and every answer has the Understanding's shape.
test('2,000 random and adversarial messages never throw and always give a well-formed Understanding', () => {
  const options = { codeBook: createFixtureCodeBook(), inventory: [{ name: 'srv-fin-02', aliases: [] }] };
  const next = createFuzzInputs(seededRandom(20_251_125));
  for (let i = 0; i < 2000; i++) {
    const input = next();
    const understood = understand(input, options);
    expect(INTENTS).toContain(understood.intent);
    expect(understood.confidence).toBeGreaterThanOrEqual(0);
    expect(understood.confidence).toBeLessThanOrEqual(1);
    for (const code of understood.codes) expect(code.value).toMatch(/^0x[0-9a-f]{1,8}$/);
    for (const host of understood.hosts)
      expect(host.name).toMatch(/^(?:[a-z0-9][a-z0-9._-]*|[0-9a-f:.]*:[0-9a-f:.]*)$/);
    expect(understood.hosts.length).toBeLessThanOrEqual(10);
    expect(understood.codes.length).toBeLessThanOrEqual(12);
  }
});

test('input that is not a string is an empty message, not a crash', () => {
  expect(() => understand(undefined as unknown as string)).not.toThrow();
});

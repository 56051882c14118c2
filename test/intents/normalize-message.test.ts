import { expect, test } from 'vitest';
import { MAX_SCANNED_CHARS, normalizeMessage } from '../../src/intents/normalize-message.js';
import { understand } from '../../src/intents/understand.js';

// How long these take is `npm run fuzz:intents`' business; here: what comes out.

test.for([
  {
    desc: 'a Slack link keeps its label',
    text: "can't rdp to <http://srv.corp|srv.corp>",
    out: "can't rdp to  srv.corp ",
  },
  {
    desc: 'a bare Slack link keeps its URL',
    text: 'see <https://rdg.corp.example>',
    out: 'see  https://rdg.corp.example ',
  },
  {
    desc: 'mailto loses its scheme',
    text: '<mailto:jdoe@corp.example|jdoe@corp.example>',
    out: ' jdoe@corp.example ',
  },
  {
    desc: 'a link nested in a label: the inner one stands, the outer opener goes',
    text: '<http://a|<http://srv-b.corp.example|srv-b.corp.example>>',
    out: '  srv-b.corp.example >',
  },
  {
    desc: 'an unclosed link at the end is left for the URL reader',
    text: 'see <http://x.corp|',
    out: 'see <http://x.corp|',
  },
  {
    desc: 'a typed &lt; is not markup',
    text: '&lt;http://a|&lt;http://b|c&gt;',
    out: '<http://a|<http://b|c>',
  },
])('$desc', ({ text, out }) => {
  expect(normalizeMessage(text)).toBe(out);
});

test('nested link markup up to the scan bound (the fuzz input that once took 6 ms) leaves one URL, not 400', () => {
  const nested = `${'<http://a|'.repeat(3000)}${'>'.repeat(3000)}`;
  const normalized = normalizeMessage(nested);
  expect(normalized.length).toBeLessThanOrEqual(MAX_SCANNED_CHARS);
  // 399 openers are each followed by another link; the last one was cut off by the bound.
  expect(normalized.match(/http:\/\/a/g)).toEqual(['http://a']);
  expect(normalized.trimEnd().endsWith('<http://a|')).toBe(true);
  const understood = understand(nested);
  expect(understood.hosts.map((host) => host.name)).toEqual(['a']);
  expect(understood.codes).toEqual([]);
});

test('nested markup around a real report still reads the report', () => {
  const text = `${'<http://a|'.repeat(50)}<http://srv-fin-02.corp.example|srv-fin-02.corp.example>${'>'.repeat(50)} rdp 0x904`;
  const understood = understand(text);
  expect(understood.hosts.map((host) => host.name)).toEqual(['srv-fin-02.corp.example']);
  expect(understood.codes.map((code) => code.value)).toEqual(['0x904']);
});

// npm run bench:fixes — code look-up + rank() of one message, on one core, over a mix of messages
// (codes only, codes + probe findings, symptoms only, unknown codes, nothing at all), next to a
// baseline measured in the same run: JSON.stringify of the ranked answer, the least any message
// costs to send. Bar (issue 5): look-up + rank < 0.2 ms per message. On a shared machine a mean
// over single calls mostly measures the scheduler, so the bar is judged on the median round (all
// message kinds once) divided by the number of kinds; p50/p99 of single calls are printed too.
import { createCodeBook } from '../src/fixes/code-book.js';
import { loadKnowledgeBase } from '../src/fixes/load-kb.js';
import { rank } from '../src/fixes/rank.js';
import type { Finding } from '../src/report/finding.js';
import type { Understanding, UnderstoodCode } from '../src/report/understanding.js';

const ROUNDS = 2000;

const t0 = performance.now();
const kb = loadKnowledgeBase();
const loadMs = performance.now() - t0;
const book = createCodeBook(kb);

const code = (value: string, role: UnderstoodCode['role'] = 'disconnect'): UnderstoodCode => ({
  value,
  role,
});
const finding = (probe: Finding['probe'], status: Finding['status'], findingCode: string): Finding => ({
  probe,
  target: 'srv-fin-02:3389',
  status,
  code: findingCode,
  summary: `${findingCode} on srv-fin-02`,
  ms: 4,
});
const message = (codes: UnderstoodCode[], findings: Finding[], symptoms: string[] = []) => ({
  understanding: {
    intent: 'rdp_failure',
    confidence: 0.95,
    codes,
    hosts: [{ name: 'srv-fin-02', kind: 'short' }],
    gateway: 'rdg.corp.example',
    symptoms,
  } satisfies Understanding,
  findings,
});

const healthy = [
  finding('dns', 'ok', 'DNS_OK'),
  finding('tcp', 'ok', 'TCP_OPEN'),
  finding('rdp', 'ok', 'RDP_NEG_NLA'),
];
const MESSAGES = [
  message([code('0x904'), code('0x7', 'extended')], []),
  message([code('0x904'), code('0x7', 'extended')], [...healthy, finding('tls', 'fail', 'TLS_CERT_EXPIRED')]),
  message([code('0x204')], [finding('dns', 'ok', 'DNS_OK'), finding('tcp', 'refused', 'TCP_REFUSED')]),
  message([code('0x204')], [finding('dns', 'ok', 'DNS_OK'), finding('tcp', 'timeout', 'TCP_TIMEOUT')]),
  message([code('0x3000008', 'gateway')], [finding('gateway', 'fail', 'GATEWAY_INTERCEPTED')]),
  message([code('0x516')], []),
  message([code('0x3000066', 'gateway')], []),
  message([], healthy, ['credentials_rejected']),
  message([], [], ['black_screen', 'periodic_disconnect']),
  message([code('0x112f', 'error_info')], [], ['protocol_error']),
  message([code('0x104')], [finding('dns', 'fail', 'DNS_NXDOMAIN')]),
  message([], []),
];

function lookupAndRank(m: (typeof MESSAGES)[number]) {
  for (const c of m.understanding.codes) book.lookup(c.value);
  return rank(m.understanding, m.findings, {}, kb);
}

// Warm up the JIT as a long-running bot would be.
for (let i = 0; i < 200; i++) for (const m of MESSAGES) lookupAndRank(m);

const latencies: number[] = [];
const baseline: number[] = [];
const rounds: number[] = [];
const baseRounds: number[] = [];
let sink = 0;
for (let round = 0; round < ROUNDS; round++) {
  let t = performance.now();
  for (const m of MESSAGES) lookupAndRank(m);
  rounds.push((performance.now() - t) / MESSAGES.length);
  const answers = MESSAGES.map(lookupAndRank);
  t = performance.now();
  for (const fixes of answers) sink += JSON.stringify(fixes).length;
  baseRounds.push((performance.now() - t) / MESSAGES.length);
  for (const m of MESSAGES) {
    let t = performance.now();
    const fixes = lookupAndRank(m);
    latencies.push(performance.now() - t);
    t = performance.now();
    sink += JSON.stringify(fixes).length;
    baseline.push(performance.now() - t);
  }
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: at(0.5), p99: at(0.99) };
};
const ours = stats(latencies);
const base = stats(baseline);
const perMessage = stats(rounds).p50;
const basePerMessage = stats(baseRounds).p50;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

console.log(
  `knowledge base: ${kb.codes.length} codes, ${kb.fixes.length} fixes, loaded once in ${loadMs.toFixed(0)} ms`,
);
console.log(`messages: ${MESSAGES.length} kinds × ${ROUNDS} rounds = ${latencies.length} (checksum ${sink})`);
console.log(`look-up + rank        mean ${us(ours.mean)}  p50 ${us(ours.p50)}  p99 ${us(ours.p99)}`);
console.log(`baseline JSON answer  mean ${us(base.mean)}  p50 ${us(base.p50)}  p99 ${us(base.p99)}`);
console.log(
  `per message (median round): look-up + rank ${us(perMessage)}, baseline ${us(basePerMessage)} — ${(perMessage / basePerMessage).toFixed(1)}× the cost of serialising the answer`,
);
console.log(`bar: < 200 µs per message — ${perMessage < 0.2 ? 'met' : 'NOT met'}`);

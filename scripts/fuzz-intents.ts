// npm run fuzz:intents [count] [seed] — understand() on random and adversarial strings (huge,
// Unicode, RTL, zero-width, nested markup, regex near-misses): none may throw and none may take
// more than 5 ms (issue 4). Prints the slowest inputs; exits 1 on a throw or a slow call.
import { createCodeBook } from '../src/fixes/code-book.js';
import { understand } from '../src/intents/understand.js';
import { createFuzzInputs, seededRandom } from '../test/intents/fuzz-inputs.js';

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 4);
const LIMIT_MS = 5;
const options = { codeBook: createCodeBook(), inventory: [{ name: 'srv-fin-02', aliases: ['fin2'] }] };
understand('warm up: rdp 0x904 on srv-fin-02', options);

// CPU time of the call (getrusage, less the cost of reading it): on a shared machine the wall
// clock also counts time other processes held the core. The wall-clock figure is printed too.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const costs: number[] = [];
for (let i = 0; i < 2000; i++) {
  const c = cpuMs();
  costs.push(cpuMs() - c);
}
costs.sort((a, b) => a - b);
const clockCost = costs[Math.floor(costs.length / 2)] ?? 0;
let wallSlow = 0;

const next = createFuzzInputs(seededRandom(seed));
const slowest: { ms: number; sample: string; length: number }[] = [];
let thrown = 0;
let slow = 0;
let totalMs = 0;
for (let i = 0; i < count; i++) {
  const input = next();
  const c = cpuMs();
  const t = performance.now();
  try {
    understand(input, options);
  } catch (error) {
    thrown++;
    if (thrown <= 5) console.log(`THROW on input ${JSON.stringify(input.slice(0, 80))}…: ${String(error)}`);
  }
  if (performance.now() - t > LIMIT_MS) wallSlow++;
  let ms = Math.max(0, cpuMs() - c - clockCost);
  // A call that looks slow is timed twice more and keeps its fastest run: a garbage collection
  // of the generator's megabyte strings lands on some call, a backtracking regex on every run.
  for (let again = 0; again < 2 && ms > 1; again++) {
    const c2 = cpuMs();
    understand(input, options);
    ms = Math.min(ms, Math.max(0, cpuMs() - c2 - clockCost));
  }
  totalMs += ms;
  if (ms > LIMIT_MS) slow++;
  if (slowest.length < 5 || ms > (slowest[slowest.length - 1]?.ms ?? 0)) {
    slowest.push({ ms, sample: JSON.stringify(input.slice(0, 60)), length: input.length });
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.length = Math.min(slowest.length, 5);
  }
}
console.log(
  `${count.toLocaleString('en')} inputs (seed ${seed}): ${thrown} threw, ${slow} took more than ${LIMIT_MS} ms of CPU, mean ${((totalMs / count) * 1000).toFixed(1)} µs  [wall clock: ${wallSlow} over ${LIMIT_MS} ms]`,
);
console.log('slowest (CPU):');
for (const s of slowest) console.log(`  ${s.ms.toFixed(2)} ms  ${s.length} chars  ${s.sample}`);
console.log(thrown === 0 && slow === 0 ? 'PASS' : 'FAIL');
process.exitCode = thrown === 0 && slow === 0 ? 0 : 1;

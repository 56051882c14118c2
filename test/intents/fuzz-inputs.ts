/**
 * Random and adversarial messages for fuzzing understand(): huge pastes, Unicode of every plane,
 * right-to-left and zero-width marks, nested Slack and HTML markup, and the near-misses of every
 * pattern the extractors use (hex runs, dotted chains, colon groups, labels without values) that
 * make a backtracking regex explode. Deterministic for a seed (`random` is a parameter).
 */
export function createFuzzInputs(random: () => number): () => string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const int = (max: number) => Math.floor(random() * max);
  const repeat = (unit: string, times: number) => unit.repeat(times);

  const fragments = [
    'rdp 0x904 extended 0x7 on srv-fin-02',
    'Error code: 0x',
    'Extended error code:',
    '错误代码：',
    'ERRINFO_',
    'exDiscReason',
    'full address:s:',
    'gatewayhostname:s:',
    '<http://srv.corp|srv.corp>',
    '<mailto:a@b.c|a@b.c>',
    '<@U123>',
    '\\\\srv\\share',
    '[fd00::1]:3389',
    '10.0.0.1:3389',
    'via rdg.corp.example',
    'RDP disconnected! 516',
    '(Reason= 2308)',
    '0x9o4 ox904',
    '👍',
    '\u202Eevil\u202C',
    '\u200B\u200C\u200D\uFEFF',
    'ﷺ ؋ עברית العربية',
    '𝕳𝖊𝖑𝖑𝖔 🏳️‍🌈',
    '\u0000\u0001\u001F',
    '\uD800',
  ];
  const adversarial: (() => string)[] = [
    () => repeat('0x', 2000 + int(5000)),
    () => `0x${repeat('f', 5000 + int(20_000))}`,
    () => repeat('a.', 5000 + int(10_000)),
    () => `${repeat('a-', 5000)}@`,
    () => repeat('1.', 8000),
    () => repeat('ff:', 6000),
    () => repeat(':', 10_000),
    () => repeat('error code ', 3000),
    () => repeat('extended error code: ', 2000),
    () => repeat('<http://a|', 3000) + repeat('>', 3000),
    () => repeat('<', 20_000),
    () => repeat('\\\\a', 5000),
    () => repeat('srv-', 5000),
    () => repeat('via ', 5000),
    () => repeat('full address:s:x\n', 3000),
    () => repeat('9', 50_000),
    () => repeat('x', 1024 * 1024),
    () => repeat('🙂', 50_000),
    () => repeat('\u200B', 100_000),
    () => repeat('a@', 10_000),
    () => repeat('[', 10_000) + repeat(']:', 10_000),
    () => repeat('ox', 10_000),
    () => repeat('rdp to ', 4000),
  ];
  const randomUnicode = (length: number) => {
    let text = '';
    for (let i = 0; i < length; i++) {
      const plane = random();
      const code =
        plane < 0.5
          ? 0x20 + int(0x5f)
          : plane < 0.8
            ? int(0xd7ff)
            : plane < 0.95
              ? 0xe000 + int(0x1fff)
              : 0x10000 + int(0xfffff);
      text += String.fromCodePoint(code);
    }
    return text;
  };

  return () => {
    const kind = random();
    if (kind < 0.05) return pick(adversarial)();
    if (kind < 0.45) return randomUnicode(1 + int(400));
    let text = '';
    const parts = 1 + int(12);
    for (let i = 0; i < parts; i++) {
      const part = random() < 0.7 ? pick(fragments) : randomUnicode(int(30));
      text += random() < 0.5 ? part : `${part}${pick([' ', '\n', '', ':', '|', '>', '.', '-'])}`;
    }
    return text;
  };
}

/** A small deterministic PRNG (mulberry32) so fuzz runs are reproducible from their seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

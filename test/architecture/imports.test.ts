import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// Imports point one way along the data path (README "Architecture"): the base (redaction, errors,
// logging, deadlines, compiled data) → config → intents / probes / ocr → fixes → triage →
// access / store → the conversation core (bot) → ops → the CLI. A folder may import from a lower
// layer only, never from a higher one or from a peer of its own layer; type-only imports count
// too (a layer that needs another's types depends on it). No module takes part in an import cycle.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Layer of each top-level folder (or root module) of src/: a higher number may import a lower one. */
const LAYERS: Record<string, number> = {
  report: 0,
  redact: 0,
  text: 0,
  'deadline-signal': 0,
  'race-abort': 0,
  errors: 1,
  log: 2,
  data: 2,
  config: 3,
  intents: 4,
  probes: 4,
  ocr: 4,
  fixes: 5,
  triage: 6,
  access: 7,
  store: 7,
  incidents: 7.5,
  bot: 8,
  directory: 8,
  ops: 9,
  app: 10,
  cli: 11,
};

interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
}

function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const to = relative(SRC, resolve(dirname(join(SRC, file)), specifier)).replace(/\.js$/, '.ts');
    edges.push({ from: file, to, typeOnly });
  };
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm))
    add(m[2] ?? '', m[1] !== undefined);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1] ?? '', false);
  return edges;
}

const layerOf = (file: string) =>
  file.includes('/') ? (file.split('/')[0] ?? file) : file.replace(/\.ts$/, '');

/** Whether an import goes against the direction: up the layers, or across to a peer folder. */
function goesAgainst(edge: ImportEdge): boolean {
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  return from !== to && (LAYERS[to] ?? 99) >= (LAYERS[from] ?? -1);
}

const files = sourceFiles();
const edges = files.flatMap(importsOf);

describe('import direction', () => {
  test('every folder of src/ has a layer', () => {
    expect(files.map(layerOf).filter((layer) => LAYERS[layer] === undefined)).toEqual([]);
  });

  test('no import points up the data path or across to a peer of the same layer', () => {
    const against = edges
      .filter(goesAgainst)
      .map((edge) => `${edge.from} → ${edge.to}${edge.typeOnly ? ' (type)' : ''}`);
    expect(against).toEqual([]);
  });

  test('no module is part of an import cycle (type-only imports excluded: they vanish at run time)', () => {
    const graph = new Map<string, string[]>();
    for (const edge of edges)
      if (!edge.typeOnly) graph.set(edge.from, [...(graph.get(edge.from) ?? []), edge.to]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  test('the rule itself: up and across are against the direction, down and within a folder are not', () => {
    const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false });
    expect(goesAgainst(edge('probes/tcp.ts', 'bot/conversation.ts'))).toBe(true);
    expect(goesAgainst(edge('intents/hosts.ts', 'probes/tcp.ts'))).toBe(true);
    expect(goesAgainst(edge('errors.ts', 'log/logger.ts'))).toBe(true);
    expect(goesAgainst(edge('bot/assemble.ts', 'triage/run.ts'))).toBe(false);
    expect(goesAgainst(edge('bot/assemble.ts', 'bot/conversation.ts'))).toBe(false);
    // The scan found the imports at all (a broken pattern would find none and pass).
    expect(edges.filter((e) => e.typeOnly).length).toBeGreaterThan(50);
    expect(edges.filter((e) => !e.typeOnly).length).toBeGreaterThan(300);
  });
});

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { CodeBook, CodeBookEntry } from '../../src/intents/code-book.js';

const entrySchema = z.object({
  value: z.string().regex(/^0x[0-9a-f]+$/),
  role: z.enum(['disconnect', 'extended', 'error_info', 'gateway']),
  name: z.string().optional(),
});

/** A CodeBook over test/fixtures/intents/code-book.yaml (the rdp-facts.md tables). */
export function createFixtureCodeBook(): CodeBook {
  const url = new URL('../fixtures/intents/code-book.yaml', import.meta.url);
  const entries = z.array(entrySchema).parse(parse(readFileSync(url, 'utf8')));
  const byValue = new Map<string, CodeBookEntry[]>();
  const byName = new Map<string, CodeBookEntry>();
  for (const { value, role, name } of entries) {
    const entry: CodeBookEntry = { value, role, ...(name !== undefined && { name }) };
    byValue.set(value, [...(byValue.get(value) ?? []), entry]);
    if (name) byName.set(name.toLowerCase(), entry);
  }
  return {
    lookup: (value) => byValue.get(value.toLowerCase()) ?? [],
    byName: (name) => byName.get(name.trim().toLowerCase()),
  };
}

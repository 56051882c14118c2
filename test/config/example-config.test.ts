import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import type { z } from 'zod';
import { parseConfig } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';

const EXAMPLE = new URL('../../examples/config.example.yaml', import.meta.url);

/** Every key path of an object schema, through defaults, optionals, arrays and refinements. */
function keyPaths(schema: z.core.$ZodType, prefix: string): string[] {
  const def = schema._zod.def as {
    type: string;
    innerType?: z.core.$ZodType;
    element?: z.core.$ZodType;
    shape?: Record<string, z.core.$ZodType>;
    in?: z.core.$ZodType;
  };
  if (def.innerType) return keyPaths(def.innerType, prefix);
  if (def.type === 'pipe' && def.in) return keyPaths(def.in, prefix);
  if (def.type === 'array' && def.element) return keyPaths(def.element, prefix);
  if (def.type !== 'object' || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([key, value]) => [
    `${prefix}${key}`,
    ...keyPaths(value, `${prefix}${key}.`),
  ]);
}

test('the example config is valid', async () => {
  const config = parseConfig(await readFile(EXAMPLE, 'utf8'), 'config.example.yaml');
  expect(config.access.roles.map((role) => role.name)).toEqual(['helpdesk', 'everyone']);
});

test('the example config shows every key of the schema', async () => {
  const text = await readFile(EXAMPLE, 'utf8');
  const missing = keyPaths(configSchema, '').filter((path) => {
    const key = path.split('.').at(-1) ?? path;
    return !new RegExp(`(^|[\\s{,-])${key}:`, 'm').test(text);
  });
  expect(missing).toEqual([]);
});

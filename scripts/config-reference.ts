// Generates docs/configuration.md from the zod schema (src/config/schema.ts): every key with its
// type, default and limits (z.toJSONSchema) and the doc comment written next to it in
// src/config/*.ts (read with the TypeScript compiler API). `--check` fails when the file is stale.
//   npm run docs:config            rewrite docs/configuration.md
//   npm run docs:config -- --check exit 1 if it differs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { z } from 'zod';
import { configSchema } from '../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONFIG_DIR = join(ROOT, 'src/config');
const OUTPUT = join(ROOT, 'docs/configuration.md');

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  required?: string[];
  anyOf?: JsonSchema[];
  additionalProperties?: unknown;
};

/** Doc comments by key path (`jumps[].routes.suffixes`), read from the schema sources. */
function readComments(): Map<string, string> {
  const declarations = new Map<string, { node: ts.Expression; source: ts.SourceFile }>();
  for (const file of readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.ts'))) {
    const path = join(CONFIG_DIR, file);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild(function visit(node) {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer)
        declarations.set(node.name.text, { node: node.initializer, source });
      node.forEachChild(visit);
    });
  }
  const comments = new Map<string, string>();
  const seen = new Set<string>();
  const walk = (expr: ts.Node, prefix: string, source: ts.SourceFile): undefined => {
    if (ts.isParenthesizedExpression(expr)) return walk(expr.expression, prefix, source);
    if (ts.isArrowFunction(expr)) return walk(expr.body, prefix, source);
    if (ts.isIdentifier(expr)) {
      const found = declarations.get(expr.text);
      const key = `${expr.text}@${prefix}`;
      if (!found || seen.has(key)) return;
      seen.add(key);
      return walk(found.node, prefix, found.source);
    }
    if (!ts.isCallExpression(expr)) return;
    const callee = expr.expression;
    if (
      ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === 'z'
    ) {
      const [first] = expr.arguments;
      if (callee.name.text === 'object' && first && ts.isObjectLiteralExpression(first)) {
        for (const property of first.properties) {
          if (
            !ts.isPropertyAssignment(property) ||
            !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
          )
            continue;
          const path = prefix ? `${prefix}.${property.name.text}` : property.name.text;
          const text = docComment(property, source);
          if (text) comments.set(path, text);
          walk(property.initializer, path, source);
        }
      } else if (callee.name.text === 'array' && first) {
        walk(first, `${prefix}[]`, source);
      }
      return;
    }
    // A method chain (`.default()`, `.optional()`, `.superRefine()`): the schema is its receiver.
    if (ts.isPropertyAccessExpression(callee)) return walk(callee.expression, prefix, source);
    // A schema built by a helper (`limitSchema(20, 2)`): read the helper's body.
    if (ts.isIdentifier(callee)) return walk(callee, prefix, source);
  };
  const root = declarations.get('configSchema');
  if (root) walk(root.node, '', root.source);
  return comments;
}

function docComment(node: ts.Node, source: ts.SourceFile): string | undefined {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const docs = ranges
    .map((range) => source.text.slice(range.pos, range.end))
    .filter((text) => text.startsWith('/**'));
  const last = docs.at(-1);
  if (!last) return undefined;
  return last
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Row {
  path: string;
  type: string;
  defaultValue: string;
  limits: string;
  description: string;
}

function rows(schema: JsonSchema, comments: Map<string, string>, prefix = '', out: Row[] = []): Row[] {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const node = child.anyOf?.find((option) => option.type !== 'null') ?? child;
    out.push({
      path,
      type: typeOf(node),
      defaultValue:
        child.default === undefined
          ? schema.required?.includes(key)
            ? 'required'
            : ''
          : `\`${JSON.stringify(child.default)}\``,
      limits: limitsOf(node.type === 'array' && node.items ? node.items : node, node),
      description: comments.get(path) ?? '',
    });
    if (node.type === 'object') rows(node, comments, path, out);
    if (node.type === 'array' && node.items?.type === 'object') rows(node.items, comments, `${path}[]`, out);
  }
  return out;
}

function typeOf(node: JsonSchema): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.type === 'array') return `${node.items ? typeOf(node.items) : 'value'}[]`;
  if (Array.isArray(node.type)) return node.type.join(' | ');
  return node.type ?? 'value';
}

function limitsOf(node: JsonSchema, outer: JsonSchema): string {
  const parts: string[] = [];
  if (node.minimum !== undefined || node.maximum !== undefined)
    parts.push(`${node.minimum ?? ''}–${node.maximum ?? ''}`);
  if (node.minLength !== undefined && node.minLength > 1) parts.push(`≥ ${node.minLength} chars`);
  if (node.maxLength !== undefined) parts.push(`≤ ${node.maxLength} chars`);
  if (outer.minItems !== undefined) parts.push(`≥ ${outer.minItems} items`);
  if (outer.maxItems !== undefined) parts.push(`≤ ${outer.maxItems} items`);
  if (node.pattern) parts.push(`\`${node.pattern}\``);
  return parts.join(', ');
}

function render(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const comments = readComments();
  const all = rows(schema, comments);
  const sections = Object.keys(schema.properties ?? {});
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` from src/config/*.ts (zod schema and its doc comments). Do not edit by hand. -->',
    '',
    'One YAML file, given with `--config FILE` or `RDP_TRIAGE_CONFIG`. Every key is optional unless',
    'marked required. Any key can be overridden from the environment as',
    '`RDP_TRIAGE__<key>__<key>=value` (array indices as numbers), which is where secrets belong.',
    'Per-machine settings read directly from the environment: `LOG_LEVEL`, `HEALTH_PORT`,',
    '`HEALTH_HOST`, `REDIS_URL` (they win over `ops.*`), and the Slack / Teams tokens.',
    '',
  ];
  for (const section of sections) {
    lines.push(`## \`${section}\``, '');
    const description = comments.get(section);
    if (description) lines.push(description, '');
    lines.push('| key | type | default | limits | meaning |', '| --- | --- | --- | --- | --- |');
    for (const row of all.filter(
      (r) => r.path === section || r.path.startsWith(`${section}.`) || r.path.startsWith(`${section}[]`),
    )) {
      lines.push(
        `| \`${row.path}\` | ${cell(row.type)} | ${cell(row.defaultValue)} | ${cell(row.limits)} | ${cell(row.description)} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

const text = render();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUTPUT, 'utf8');
  } catch {}
  if (current !== text) {
    process.stderr.write('docs/configuration.md is out of date: run npm run docs:config\n');
    process.exit(1);
  }
  process.stdout.write('docs/configuration.md is up to date\n');
} else {
  writeFileSync(OUTPUT, text);
  process.stdout.write(`wrote ${OUTPUT}\n`);
}

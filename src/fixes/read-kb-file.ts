import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/** One problem in a knowledge-base file: where it is and what is wrong. */
export interface KbIssue {
  file: string;
  line: number;
  key: string;
  message: string;
}

/** A parsed knowledge-base file: its data, and a way to find the line of any key path in it. */
export interface KbFile {
  path: string;
  data: unknown;
  locate(keyPath: readonly PropertyKey[]): number;
}

/**
 * Parses one YAML (or JSON) file, reporting syntax errors with their line. With `preparsed` (the
 * shipped snapshot) the YAML is only parsed if a line number is ever asked for.
 */
export function parseKbFile(
  path: string,
  text: string,
  issues: KbIssue[],
  preparsed?: unknown,
): KbFile | undefined {
  let parsed: { doc: ReturnType<typeof parseDocument>; lineCounter: LineCounter } | undefined;
  const parse = () => {
    if (parsed) return parsed;
    const lineCounter = new LineCounter();
    parsed = {
      doc: parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false }),
      lineCounter,
    };
    return parsed;
  };
  if (preparsed === undefined) {
    const { doc, lineCounter } = parse();
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line;
        issues.push({ file: path, line, key: '', message: `YAML: ${error.message.split('\n')[0]}` });
      }
      return undefined;
    }
  }
  const locate = (keyPath: readonly PropertyKey[]): number => {
    const { doc, lineCounter } = parse();
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const key of keyPath) {
      if (!(isMap(node) || isSeq(node))) break;
      const next: unknown = node.get(typeof key === 'symbol' ? String(key) : key, true);
      // A missing key (a required field left out): the line of the object that lacks it.
      if (next === undefined) break;
      node = next;
      const range = (next as Node).range;
      if (range) offset = range[0];
    }
    return lineCounter.linePos(offset).line;
  };
  return { path, data: preparsed ?? parse().doc.toJS({ maxAliasCount: 100 }), locate };
}

import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readCompiledData } from '../../src/data/compiled-data.js';
import { isTriageError } from '../../src/errors.js';
import { loadBuiltinKnowledgeBase } from '../../src/fixes/builtin-kb.js';
import { loadKnowledgeBase } from '../../src/fixes/load-kb.js';
import { trainingExamples } from '../../src/intents/classifier.js';
import { intentData } from '../../src/intents/intent-data.js';
import { parseIntentDataFiles } from '../../src/intents/intent-data-schema.js';
import { trainModel } from '../../src/intents/train-classifier.js';

// The run time reads the compiled form only (no YAML parser, no schema library at start-up), so it
// must be exactly what validating the YAML gives. The test project builds it first (build-dist).

describe('the compiled data is the validated YAML', () => {
  test('phrase files and the trained intent model', () => {
    const fromYaml = parseIntentDataFiles(new URL('../../src/intents/data/', import.meta.url));
    const { model, ...phrases } = intentData();
    expect(phrases).toEqual(fromYaml);
    expect(model).toEqual(trainModel(trainingExamples(fromYaml.training)));
  });

  test('the knowledge base', () => {
    const compiled = loadBuiltinKnowledgeBase();
    const fromYaml = loadKnowledgeBase();
    expect(compiled.codes).toEqual(fromYaml.codes);
    expect(compiled.fixes).toEqual(fromYaml.fixes);
    expect([...compiled.causes]).toEqual([...fromYaml.causes]);
    expect(compiled.rules).toEqual(fromYaml.rules);
    expect([...compiled.byName.keys()]).toEqual([...fromYaml.byName.keys()]);
  });
});

describe('readCompiledData', () => {
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'compiled-data-'));
    return { dir, url: pathToFileURL(`${dir}/`) };
  };

  test('reads compiled.json when it is newer than every YAML file', () => {
    const { dir, url } = folder();
    writeFileSync(join(dir, 'words.yaml'), 'a: [b]\n');
    utimesSync(join(dir, 'words.yaml'), 1000, 1000);
    writeFileSync(join(dir, 'compiled.json'), '{"a":["b"]}');
    expect(readCompiledData(url)).toEqual({ a: ['b'] });
  });

  test('a YAML file changed after the build is an error that says what to run', () => {
    const { dir, url } = folder();
    writeFileSync(join(dir, 'compiled.json'), '{}');
    utimesSync(join(dir, 'compiled.json'), 1000, 1000);
    writeFileSync(join(dir, 'words.yaml'), 'a: [b]\n');
    let error: unknown;
    try {
      readCompiledData(url);
    } catch (caught) {
      error = caught;
    }
    expect(isTriageError(error) && error.code).toBe('DATA_NOT_BUILT');
    expect(String(error)).toMatch(/words\.yaml changed after the data was compiled: run `npm run build`/);
  });

  test('no compiled form at all is the same error', () => {
    const { url } = folder();
    expect(() => readCompiledData(url)).toThrow(/compiled\.json is missing: run `npm run build`/);
  });
});

// Part of `npm run build`: tsc emits only JavaScript, so the data the code reads at run time
// (every file under a `data/` folder of src/: YAML, the knowledge-base snapshot) is copied to the
// same place under dist/, where `new URL('./data/…', import.meta.url)` finds it.
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  const relative = from.slice(src.length + 1);
  if (!relative.split(sep).includes('data')) continue;
  // Timestamps kept: the compiled form must stay newer than its YAML (src/data/compiled-data.ts).
  cpSync(from, join(dist, relative), { preserveTimestamps: true });
  copied += 1;
}
if (copied === 0) throw new Error('copy-data: no data files found under src/');

// Child process for open-together.test.ts: says "ready" once loaded, waits for the parent's "go"
// on stdin (so every child opens at the same moment), opens the store file given as a replica
// starting does, and says which schema version it found.
import { once } from 'node:events';
import { openDatabase } from '../../../src/store/sqlite.js';

const [path = ''] = process.argv.slice(2);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const db = openDatabase(path);
process.stdout.write(`${db.pragma('user_version', { simple: true })}\n`);
db.close();
process.exit(0);

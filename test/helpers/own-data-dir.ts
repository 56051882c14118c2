import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each test file (and every CLI or bot process it spawns, which inherit the environment) keeps
// its default store — audit log, votes, incidents — in a data directory of its own: reports made
// by one file's tests never group into an incident with another file's, whatever the order.
process.env.XDG_DATA_HOME = mkdtempSync(join(tmpdir(), 'rdp-triage-test-data-'));

// npm run kb:snapshot — parses the shipped knowledge-base YAML once and writes
// src/fixes/data/snapshot.jsonl, so processes start without parsing 160 KB of YAML. The loader
// uses the snapshot only while its fingerprint matches the YAML; test/fixes checks it is current.

import { SNAPSHOT_PATH, writeSnapshot } from '../src/fixes/kb-snapshot.js';
import { readShippedSources } from '../src/fixes/load-kb.js';

const { sources, data } = readShippedSources();
writeSnapshot(sources, data);
console.log(`wrote ${SNAPSHOT_PATH} (${sources.length} files)`);

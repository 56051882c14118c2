// Starts or stops the lab by hand, for examples/config.lab.yaml and for poking at the servers:
//   sudo LAB_DIR=/tmp/rdp-triage-lab npx tsx test/integration/lab/lab-cli.ts up
//   npx tsx src/cli.ts triage --config examples/config.lab.yaml "rdp fails on rdp-ok.lab"
//   sudo LAB_DIR=/tmp/rdp-triage-lab npx tsx test/integration/lab/lab-cli.ts down
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareHost, startLab, stopLab } from './lab.js';

const dir = process.env.LAB_DIR ?? '/tmp/rdp-triage-lab';
process.env.LAB_DIR = dir;
const log = (line: string) => process.stderr.write(`${line}\n`);
const command = process.argv[2];
if (command === 'up') {
  if (existsSync(join(dir, 'lab.json')))
    await stopLab(JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')));
  const reason = await prepareHost(log);
  if (reason) {
    log(`lab: cannot start: ${reason}`);
    process.exit(1);
  }
  const lab = await startLab(log);
  log(`lab: up in ${lab.mode} mode, jump ${lab.jump.host}:${lab.jump.port}, files in ${lab.dir}`);
  for (const [what, why] of Object.entries(lab.skipped)) log(`lab: skipped ${what}: ${why}`);
} else if (command === 'down') {
  if (existsSync(join(dir, 'lab.json'))) {
    process.env.LAB_KEEP = '';
    await stopLab(JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')));
    log('lab: down');
  } else log(`lab: nothing recorded in ${dir}`);
} else {
  log('usage: lab-cli.ts up|down   (LAB_DIR, LAB_MODE=loopback)');
  process.exit(2);
}

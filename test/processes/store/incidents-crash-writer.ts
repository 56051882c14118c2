// Child process for incidents-crash.test.ts: reports outages of five hosts as fast as it can, as
// many users, through the real incident tracker on the store file; prints each report once its
// transaction committed (with the incident it attached to), and each acknowledgement once
// committed. The parent kills it with SIGKILL.
import { incidentsSchema } from '../../../src/config/incidents-schema.js';
import { createIncidentTracker } from '../../../src/incidents/incident-tracker.js';
import type { Report } from '../../../src/report/report.js';
import { openDatabase } from '../../../src/store/sqlite.js';

const [path = '', round = '0'] = process.argv.slice(2);
const db = openDatabase(path);
const tracker = createIncidentTracker(db, incidentsSchema.parse({}));
const HOSTS = 5;
const deadline = Date.now() + 240_000;
for (let i = 0; i < 200_000 && Date.now() < deadline; i += 1) {
  const host = `srv-${i % HOSTS}.corp.example`;
  const user = `U${round}x${i}`;
  const down: Pick<Report, 'findings'> = {
    findings: [
      {
        probe: 'tcp',
        target: `${host}:3389`,
        status: 'timeout',
        code: 'TCP_TIMEOUT',
        summary: 'no answer',
        ms: 1,
      },
    ],
  };
  const [notice] = await tracker.observe(down, { platform: 'slack', user, channel: 'C1', thread: `${i}.1` });
  process.stdout.write(`${JSON.stringify({ user, host, incident: notice?.incident.id ?? null })}\n`);
  if (notice && i % 97 === 0) {
    const acted = await tracker.act(notice.incident.id, 'acknowledge', { platform: 'slack', user: 'UAGENT' });
    if (acted?.changed) process.stdout.write(`${JSON.stringify({ acknowledged: notice.incident.id })}\n`);
  }
}
db.close();

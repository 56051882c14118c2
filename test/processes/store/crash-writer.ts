// Child process for crash-safety.test.ts: writes audit rows as fast as it can and prints the id of
// every request whose outcome transaction has committed. The parent kills it with SIGKILL.
import { openStore } from '../../../src/store/open-store.js';

const [path = '', round = '0'] = process.argv.slice(2);
const store = openStore({ path, retentionDays: 90, feedbackRetentionDays: 365 });
const PROBES_PER_REQUEST = 25;
const deadline = Date.now() + 240_000;
for (let i = 0; i < 200_000 && Date.now() < deadline; i += 1) {
  const id = store.audit.recordRequest({
    platform: 'slack',
    user: `U${round}`,
    channel: 'C1',
    messageId: `${round}-${i}`,
    text: `rdp 0x904 on srv-${i} password=hunter${i}`,
    intent: 'rdp_failure',
    codes: ['0x904'],
    hosts: [`srv-${i}`],
  });
  store.audit.recordOutcome(id, {
    outcome: 'probed',
    probes: Array.from({ length: PROBES_PER_REQUEST }, (_, n) => ({
      host: `srv-${i}`,
      target: `srv-${i}:${3389 + n}`,
      probe: 'tcp',
      jump: 'jump-eu',
      status: 'ok',
      code: 'TCP_OPEN',
      summary: 'TCP 3389 open',
      ms: n,
    })),
    refusals: [{ target: `srv-${i}:22`, reason: 'port 22 is not a configured RDP port' }],
  });
  await store.feedback.record({
    triageId: `${round}-${i}`,
    fixId: 'nla-required',
    codes: ['0x904'],
    helped: i % 2 === 0,
    user: `U${round}`,
    platform: 'slack',
    at: new Date().toISOString(),
  });
  process.stdout.write(`${id}\n`);
}
store.close();

import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createCodeBook } from '../../src/fixes/code-book.js';
import { understand } from '../../src/intents/understand.js';
import { createAllowlist } from '../../src/triage/allowlist.js';
import { runTriage } from '../../src/triage/run.js';

// The seed's own scenario (issue 17): a gateway 0x904 / 0x7 report, nothing probed (the host is
// not allowed by the out-of-the-box config, so it is refused without a lookup). The seed's guide
// gives four fixes and four diagnostics; the answer must carry them, the fixes near the top.
const SEED_FIXES = [
  'force-tcp-disable-udp',
  'rdgateway-ssl-inspection-bypass',
  'clear-saved-credentials',
  'rdgateway-client-logging',
];
const MESSAGE =
  'cant rdp to srv-fin-02 through our gateway rdg.corp.example: Remote Desktop Connection: Error code: 0x904 Extended error code: 0x7';

async function seedReport(text: string) {
  const config = parseConfig('', 'default.yaml');
  const opened: string[] = [];
  const report = await runTriage(
    understand(text, { codeBook: createCodeBook() }),
    {
      config,
      allowlist: createAllowlist(config),
      connectorFor: () => ({
        label: 'must-not-connect',
        open: async (host, port) => {
          opened.push(`${host}:${port}`);
          throw new Error('nothing may be probed in this scenario');
        },
      }),
      resolve: async (name) => {
        throw new Error(`no lookup may be made, asked for ${name}`);
      },
    },
    { signal: AbortSignal.timeout(5000) },
  );
  return { report, opened };
}

describe('the seed scenario: gateway 0x904 / 0x7, nothing probed', () => {
  test('at least two of the seed fixes in the top 5, all four in the answer, each with its reason', async () => {
    const { report, opened } = await seedReport(MESSAGE);
    expect(opened).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.refusals.map((r) => r.target)).toContain('srv-fin-02');
    const ids = report.fixes.map((fix) => fix.id);
    const top5 = ids.slice(0, 5);
    expect(SEED_FIXES.filter((id) => top5.includes(id)).length).toBeGreaterThanOrEqual(2);
    for (const id of SEED_FIXES) expect(ids).toContain(id);
    const udp = report.fixes.find((fix) => fix.id === 'force-tcp-disable-udp');
    expect(udp?.reasons.join(' ')).toMatch(/0x904 with 0x7/);
  });

  test('the four diagnostics are in the answer with the host filled in, and the gateway check', async () => {
    const { report } = await seedReport(MESSAGE);
    const code = (report.diagnostics ?? []).map((d) => d.snippet.code);
    expect(code).toEqual(
      expect.arrayContaining([
        "Test-NetConnection -ComputerName 'srv-fin-02' -Port 3389",
        'nslookup "srv-fin-02"',
        'netstat -ano | findstr ":3389"',
        'Get-Service -Name TermService',
        "Test-NetConnection -ComputerName 'rdg.corp.example' -Port 443",
      ]),
    );
    expect(report.diagnostics?.find((d) => d.id === 'listener-port')?.where).toBe('server');
  });

  test('without a host the diagnostics say what to put in place of <server>', async () => {
    const { report } = await seedReport(
      'Remote Desktop Connection: Error code: 0x904 Extended error code: 0x7',
    );
    const test = report.diagnostics?.find((d) => d.id === 'test-port');
    expect(test?.snippet.code).toBe("Test-NetConnection -ComputerName '<server>' -Port 3389");
    expect(test?.text).toContain('Replace <server> with');
    expect(report.diagnostics?.some((d) => d.id === 'test-gateway')).toBe(false);
  });

  test('a fix the user already tried ranks below the ones they have not', async () => {
    const tried = `${MESSAGE}. I already cleared the saved credentials in credential manager`;
    const before = (await seedReport(MESSAGE)).report.fixes.map((f) => f.id);
    const { report } = await seedReport(tried);
    const after = report.fixes.map((f) => f.id);
    expect(after.indexOf('clear-saved-credentials')).toBeGreaterThan(
      before.indexOf('clear-saved-credentials'),
    );
    const cleared = report.fixes.find((f) => f.id === 'clear-saved-credentials');
    expect(cleared?.reasons.join(' ')).toMatch(/already tried this \("cleared the saved credentials/);
  });
});

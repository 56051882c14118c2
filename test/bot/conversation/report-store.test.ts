import { describe, expect, test } from 'vitest';
import { postedReply, postedReport } from '../../../src/bot/conversation/report-store.js';
import type { Report } from '../../../src/report/report.js';

const report: Report = {
  understanding: { intent: 'rdp_failure', confidence: 1, codes: [], hosts: [], gateway: null, symptoms: [] },
  findings: [],
  fixes: [],
  refusals: [],
  startedAt: '2026-11-25T10:00:00.000Z',
  ms: 412,
};

describe('a posted report redrawn by a button', () => {
  test.for([
    {
      desc: 'with the note a screenshot added',
      reply: { kind: 'report' as const, report, note: 'read 0x904' },
    },
    { desc: 'without a note', reply: { kind: 'report' as const, report } },
  ])('$desc: the redrawn reply is the posted one', ({ reply }) => {
    const posted = postedReport({ ...reply, requestText: 'rdp 0x904 on srv-fin-02' }, 'typed');
    expect(postedReply({ ...posted, votes: { 'fix-a': { helped: true, user: 'U1' } } })).toEqual(reply);
  });
});

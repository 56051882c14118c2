import { expect, test } from 'vitest';
import { createAuditLog } from '../../src/store/audit-log.js';
import { createMemoryFeedbackStore, type FeedbackVote } from '../../src/store/feedback-store.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { createSqliteFeedbackStore } from '../../src/store/sqlite-feedback-store.js';
import { teeFeedbackStore } from '../../src/store/tee-feedback-store.js';

test('a vote goes to the ranking store and to the audit log', async () => {
  const primary = createMemoryFeedbackStore();
  const db = openDatabase(':memory:');
  const store = teeFeedbackStore(primary, createSqliteFeedbackStore(db));
  const vote: FeedbackVote = {
    triageId: 't1',
    fixId: 'nla',
    codes: ['0x904'],
    helped: true,
    user: 'U1',
    platform: 'slack',
    at: new Date().toISOString(),
  };
  await store.record(vote);
  expect(await store.stats()).toEqual({ '0x904': { nla: { helped: 1, notHelped: 0 } } });
  expect(createAuditLog(db).query({ user: 'U1' })).toMatchObject([
    { kind: 'feedback', fixId: 'nla', helped: true },
  ]);
});

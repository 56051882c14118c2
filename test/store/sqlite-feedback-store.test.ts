import { expect, test } from 'vitest';
import { createMemoryFeedbackStore, type FeedbackVote } from '../../src/store/feedback-store.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { createSqliteFeedbackStore } from '../../src/store/sqlite-feedback-store.js';

const vote = (
  user: string,
  fixId: string,
  helped: boolean,
  codes: string[],
  triageId = 't1',
): FeedbackVote => ({
  triageId,
  fixId,
  codes,
  helped,
  user,
  platform: 'slack',
  at: '2026-11-01T12:00:00.000Z',
});

// The SQLite store must count exactly like the in-memory reference implementation of the port.
test.for([
  { desc: 'one vote', votes: [vote('U1', 'nla', true, ['0x904'])] },
  {
    desc: 'a second click replaces the first',
    votes: [vote('U1', 'nla', true, ['0x904']), vote('U1', 'nla', false, ['0x904'])],
  },
  {
    desc: 'votes across users, codes and triages',
    votes: [
      vote('U1', 'nla', true, ['0x904', '0x7']),
      vote('U2', 'nla', true, ['0x904']),
      vote('U2', 'cert', false, ['0x904'], 't2'),
      vote('U3', 'nla', false, ['0x904'], 't3'),
    ],
  },
  { desc: 'a vote without codes counts under *', votes: [vote('U1', 'firewall', true, [])] },
])('$desc', async ({ votes }) => {
  const memory = createMemoryFeedbackStore();
  const sqlite = createSqliteFeedbackStore(openDatabase(':memory:'));
  for (const v of votes) {
    await memory.record(v);
    await sqlite.record(v);
  }
  expect(await sqlite.stats()).toEqual(await memory.stats());
});

test('votes persist across reopening', async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const path = join(await mkdtemp(join(tmpdir(), 'rdp-fb-')), 'store.db');
  const db = openDatabase(path);
  await createSqliteFeedbackStore(db).record(vote('U1', 'nla', true, ['0x904']));
  db.close();
  expect(await createSqliteFeedbackStore(openDatabase(path)).stats()).toEqual({
    '0x904': { nla: { helped: 1, notHelped: 0 } },
  });
});

// The outbox keeps delivered events for `explain` only so long: the state file must not grow forever.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const outboxRows = (dir: string) => {
  const store = openStateStore(join(dir, 'state.sqlite'));
  try {
    return store.db.prepare('SELECT (SELECT count(*) FROM outbox_events) AS n, (SELECT count(*) FROM outbox_bodies) AS withBody').get();
  } finally {
    store.close();
  }
};

describe('outbox history', () => {
  it('deletes the bodies of accepted events and forgets the events after --history-days', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(outboxRows(dir)).toEqual({ n: 149, withBody: 0 });
    await syncOnce({ source: join(SAMPLES, 'night-2') }, dir, sandbox.url);
    expect(outboxRows(dir)).toEqual({ n: 180, withBody: 0 });
    // A run that keeps no history forgets everything planned before it started.
    await syncOnce({ source: join(SAMPLES, 'night-2'), 'history-days': '0' }, dir, sandbox.url);
    expect(outboxRows(dir)).toEqual({ n: 0, withBody: 0 });
  });
});

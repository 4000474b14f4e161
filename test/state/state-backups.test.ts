// Before a run commits anything to the snapshot, the state is kept as a consistent copy beside the state
// file (`<state>.backup-<runId>.sqlite`, VACUUM INTO), the newest 3 kept; a backup restores by copying it
// back. A run with nothing to send takes none.
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';


function run(dir: string, night: string, apiUrl: string, ...extra: string[]) {
  const args = ['run', '--source', join(SAMPLES, night), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--log-level', 'warn', ...extra];
  return runCli(args, CREDENTIALS_ENV);
}

const backups = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('state.sqlite.backup-')).sort();
const latest = (dir: string) => JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));

/** What a state file says: members (deleted or not) and the runs it recorded. */
function contents(path: string) {
  const store = openStateStore(path, { readOnly: true });
  try {
    const members = store.db.prepare('SELECT contact_id, deleted FROM snapshot ORDER BY contact_id').all();
    const runs = store.db.prepare('SELECT run_id FROM runs ORDER BY started_at').all().map((row) => row.run_id);
    return { members, runs };
  } finally {
    store.close();
  }
}

describe('state backups', () => {
  it('holds the state before the run committed; the newest 3 are kept; a dry run and a run that sends nothing take none', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, 'night-1', sandbox.url)).code).toBe(0);
    const afterNight1 = contents(join(dir, 'state.sqlite'));
    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    const night2 = latest(dir).runId;

    const [, newest] = backups(dir);
    expect(newest).toBe(`state.sqlite.backup-${night2}.sqlite`);
    // The backup night-2 took is the state night-1 left: its members, and night-1 as its last finished run.
    const backedUp = contents(join(dir, newest!));
    expect(backedUp.members).toEqual(afterNight1.members);
    expect(backedUp.runs).toEqual([...afterNight1.runs, night2]);

    expect((await run(dir, 'night-2', sandbox.url, '--dry-run')).code).toBe(0);
    expect(backups(dir)).toHaveLength(2);
    // Nothing changed since night-2: nothing to send, nothing to commit, no backup.
    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    expect(latest(dir).events.planned).toBe(0);
    expect(backups(dir)).toHaveLength(2);

    const beforeRotation = backups(dir);
    expect((await run(dir, 'night-1', sandbox.url, '--allow-mass-delete')).code).toBe(0);
    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    expect(backups(dir)).toHaveLength(3);
    expect(backups(dir)).not.toContain(beforeRotation[0]);
    expect(latest(dir).pruned.stateBackups).toEqual([join(dir, beforeRotation[0]!)]);
  });

  it('restores by copying a backup back: the run resumes from it without a 409 and converges', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, 'night-1', sandbox.url)).code).toBe(0);
    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    const afterNight2 = contents(join(dir, 'state.sqlite')).members;

    // The state file is lost after night-2; the newest backup holds the state before night-2 committed.
    rmSync(join(dir, 'state.sqlite'));
    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(4);
    cpSync(join(dir, backups(dir).at(-1)!), join(dir, 'state.sqlite'));

    const resumed = await run(dir, 'night-2', sandbox.url);
    expect(resumed.code).toBe(0);
    // Night-2's events go again under the same ids and bodies: the API takes them as duplicates.
    expect(latest(dir)).toMatchObject({ status: 'succeeded', events: { accepted: 31, failed: 0 } });
    expect(Object.keys(sandbox.stats().byStatus)).toEqual(['200']);
    expect(contents(join(dir, 'state.sqlite')).members).toEqual(afterNight2);

    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    expect(latest(dir).events).toMatchObject({ planned: 0, accepted: 0 });
  });

  it('takes none with --state-backups 0', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, 'night-1', sandbox.url, '--state-backups', '0')).code).toBe(0);
    expect(backups(dir)).toEqual([]);
  });
});

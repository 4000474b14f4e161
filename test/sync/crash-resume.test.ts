// Crash loop: the real job as a child process, SIGKILLed at seeded random points (ingest, planning,
// sending, committing). Afterwards the API must hold exactly what a clean history would give it,
// nothing applied twice, no member lost.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox, SandboxFaultsPatch } from '../../src/sandbox/server.ts';
import { createPrng } from '../../src/sandbox/prng.ts';
import { openStateStore } from '../../src/state/store.ts';
import { CLI, CREDENTIALS_ENV, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const KILLS = Number(process.env.CRASH_LOOP_KILLS ?? 10);
const RUN_FLAGS = { 'max-delete-percent': '100', 'retry-base-delay-ms': '5', 'retry-max-delay-ms': '50', 'max-attempts': '20' };

function runKilledAfter(ms: number, night: string, dir: string, apiUrl: string): Promise<string> {
  const args = ['run', '--source', join(SAMPLES, night), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--concurrency', '4'];
  for (const [flag, value] of Object.entries(RUN_FLAGS)) args.push(`--${flag}`, value);
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv({ ...CREDENTIALS_ENV, LOYALTY_SYNC_LOG_LEVEL: 'silent' }) });
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    }),
  );
}

const snapshotOf = (dir: string) => {
  const store = openStateStore(join(dir, 'state.sqlite'));
  try {
    return store.db.prepare('SELECT contact_id, deleted, member_hash, coupons_hash, stamp_cards_hash, bonus_checks_hash FROM snapshot ORDER BY contact_id').all();
  } finally {
    store.close();
  }
};
const apiState = (sandbox: Sandbox) => sandbox.members({ includeDeleted: true }).map(({ lastEventAt: _ignored, ...member }) => member);

async function crashLoop(seed: number, faults: SandboxFaultsPatch) {
  const reference = await sandboxForTest();
  const referenceDir = tempDir();
  await syncOnce({ source: join(SAMPLES, 'night-1') }, referenceDir, reference.url);
  await syncOnce({ source: join(SAMPLES, 'night-2') }, referenceDir, reference.url);

  const dir = tempDir();
  const sandbox = await sandboxForTest({ stateFile: join(dir, 'sandbox.jsonl'), faults: { latencyMs: 10, jitterMs: 20, seed, ...faults } });
  const random = createPrng(seed);
  const outcomes: string[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    const night = random() < 0.5 ? 'night-1' : 'night-2';
    outcomes.push(`${night}: ${await runKilledAfter(100 + Math.floor(random() * 800), night, dir, sandbox.url)}`);
  }
  // Most runs must really die mid-way (a run that catches up quickly may finish before its kill).
  expect(outcomes.filter((outcome) => outcome.endsWith('SIGKILL')).length, outcomes.join('; ')).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));

  const first = await syncOnce({ source: join(SAMPLES, 'night-1'), ...RUN_FLAGS }, dir, sandbox.url);
  expect(first.report.status).toBe('succeeded');
  const second = await syncOnce({ source: join(SAMPLES, 'night-2'), ...RUN_FLAGS }, dir, sandbox.url);
  expect(second.report.status).toBe('succeeded');

  expect(apiState(sandbox)).toEqual(apiState(reference));
  expect(snapshotOf(dir)).toEqual(snapshotOf(referenceDir));
  const events = sandbox.events();
  expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
  expect(sandbox.stats().anomalies).toEqual([]);
  return sandbox.stats();
}

describe('crash and resume', () => {
  it(`converges after ${KILLS} SIGKILLs at random points`, async () => {
    await crashLoop(20261125, {});
  });

  it('converges with "accept then drop" on, where re-sends must be deduplicated', async () => {
    const stats = await crashLoop(4242, { acceptThenDropRate: 0.2 });
    expect(stats.drops).toBeGreaterThan(0);
    expect(stats.duplicates).toBeGreaterThan(0);
  });
});

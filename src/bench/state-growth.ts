// Issue 17's `stateGrowth14Nights` and `itemBytesRatio`, from one sequence of real nights against a
// zero-latency sandbox: night 1, night 2, then `nights` more nights of the same 2% change (the generated
// pair alternates: night 1 again undoes night 2's changes, deletes its new members and brings back the
// departed ones). The history window (`--history-days`) is emulated in nights: each run is told a window
// that reaches back exactly `nights` nights, so the last night prunes nights 1 and 2 as the `nights`-th
// day after them would. Growth: the state file after the last night ÷ after night 2.
//
// Item bytes (item-bytes.ts): after night 1, night 2 is planned with each `--item-events` mode.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults, ItemBytes } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { expectStatus } from './expect-outcome.ts';
import { round3, seconds } from './figure-format.ts';
import { plannedItemBytes } from './item-bytes.ts';
import { runJob } from './job-run.ts';
import { startSandboxChild } from './sandbox-child.ts';
import { stateFileBytes } from './state-file.ts';

type GrowthOptions = Pick<BenchOptions, 'growthMembers' | 'growthNights' | 'growthGapMs' | 'concurrency'>;

const DAY_MS = 86_400_000;

export async function measureStateGrowth(work: BenchWorkspace, options: GrowthOptions): Promise<BenchResults['stateGrowth']> {
  const exported = await work.exportOf(options.growthMembers);
  const runDir = join(work.runs, `growth-${options.growthMembers}`);
  const sandbox = await startSandboxChild();
  const nights: BenchResults['stateGrowth']['nights'] = [];
  let itemBytes: ItemBytes | undefined;
  try {
    const total = 2 + options.growthNights;
    // When each night's run started and finished (its report's times): the window boundaries.
    const spans: { startedAt: number; finishedAt: number }[] = [];
    for (let night = 1; night <= total; night++) {
      if (night > 1) await sleep(options.growthGapMs);
      const source = night % 2 === 1 ? exported.night1 : exported.night2;
      // Night k keeps nights k-W+1…k: the window reaches back to just after night k-W finished.
      const oldestKept = night - options.growthNights + 1;
      const historyArgs = oldestKept > 1 ? ['--history-days', String((Date.now() - (spans[oldestKept - 2]!.finishedAt + 500)) / DAY_MS)] : [];
      const run = await runJob({ source, runDir, fresh: night === 1, apiUrl: sandbox.url, concurrency: options.concurrency, args: ['--allow-mass-delete', ...historyArgs] });
      expectStatus(run, 'succeeded', `night ${night} of the state growth at ${options.growthMembers} members`);
      spans.push({ startedAt: Date.parse(run.report.startedAt), finishedAt: Date.parse(run.report.finishedAt) });
      const bytes = stateFileBytes(runDir);
      nights.push({ night, bytes, events: run.report.events.accepted, wallMs: run.child.wallMs });
      work.log(`state growth, night ${night}/${total} (${options.growthMembers} members): ${run.report.events.accepted} events in ${seconds(run.child.wallMs)}, state file ${(bytes / 2 ** 20).toFixed(1)} MB`);
      if (night === 1) itemBytes = await plannedItemBytes(runDir, exported.night2);
    }
  } finally {
    await sandbox.stop();
    work.cleanUp(runDir);
  }
  const afterNight2 = nights[1]!.bytes;
  const last = nights.at(-1)!;
  work.log(`item events: night 2 would send ${itemBytes!.autoBytes} bytes with auto, ${itemBytes!.syncedBytes} with synced (${itemBytes!.ratio})`);
  return { members: options.growthMembers, windowNights: options.growthNights, nights, afterNight2Bytes: afterNight2, lastBytes: last.bytes, ratio: round3(last.bytes / afterNight2), itemBytes: itemBytes! };
}

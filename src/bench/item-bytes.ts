// Issue 17's `itemBytesRatio`: a night planned on the same committed state (dry runs change nothing)
// with `--item-events auto` and with `synced`, and the request bytes each would send; and how much of
// them no mode can change.
//
// The generated club's members hold 0–6 coupons and 0–2 stamp cards, so one changed item is often a
// large part of its set. The same measurement on a club whose members hold many coupons (the issue's
// "a member with 40 coupons") shows what `auto` saves there: `measureItemBytesOnClub`.
import { join } from 'node:path';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults, ItemBytes } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { expectStatus } from './expect-outcome.ts';
import { round3, seconds } from './figure-format.ts';
import { runJob, type JobRun } from './job-run.ts';
import { startSandboxChild } from './sandbox-child.ts';

/** Actions whose form `--item-events` decides, and the full replacements among them. */
const SET_ACTION = /^benefits\.(coupons?|stampCards?)\./;
const REPLACEMENT = /^benefits\.(coupons|stampCards)\.synced$/;

/**
 * `night2` planned (dry runs) on the state `runDir` holds, with `--item-events auto`, `synced` and
 * `items`. The last one tells the first syncs apart: in `items` mode a normal night sends a `…s.synced`
 * only for a member's first sync of a kind, which every mode sends the same.
 */
export async function plannedItemBytes(runDir: string, night2: string): Promise<ItemBytes> {
  const plan = async (mode: 'auto' | 'synced' | 'items') => {
    const run = await runJob({ source: night2, runDir, fresh: false, dryRun: true, args: ['--item-events', mode] });
    expectStatus(run, 'dry-run', `night 2 planned with --item-events ${mode}`);
    return run;
  };
  const auto = await plan('auto');
  const synced = await plan('synced');
  const items = await plan('items');
  const bytes = (run: JobRun, counted: (action: string) => boolean = () => true) =>
    Object.entries(run.report.events.plannedBodyBytes ?? {}).reduce((sum, [action, n]) => (counted(action) ? sum + n : sum), 0);
  const isSetEvent = (action: string) => SET_ACTION.test(action);
  const [autoBytes, syncedBytes] = [bytes(auto), bytes(synced)];
  const sameInEveryModeBytes = bytes(synced, (action) => !isSetEvent(action)) + bytes(items, (action) => REPLACEMENT.test(action));
  return {
    autoBytes,
    syncedBytes,
    ratio: round3(autoBytes / syncedBytes),
    setEventsRatio: round3(bytes(auto, isSetEvent) / bytes(synced, isSetEvent)),
    sameInEveryModeBytes,
    floorRatio: round3(sameInEveryModeBytes / syncedBytes),
    decidedRatio: round3((autoBytes - sameInEveryModeBytes) / (syncedBytes - sameInEveryModeBytes)),
    autoByAction: auto.report.events.plannedByAction,
    syncedByAction: synced.report.events.plannedByAction,
  };
}

type ClubOptions = Pick<BenchOptions, 'manyCouponsMembers' | 'manyCoupons' | 'concurrency'>;

/** Night 1 of a club whose members hold `manyCoupons` coupons, sent to a sandbox; then night 2 planned with each mode. */
export async function measureItemBytesOnClub(work: BenchWorkspace, options: ClubOptions): Promise<BenchResults['itemBytesManyCoupons']> {
  const { manyCouponsMembers: members, manyCoupons: couponsPerMember } = options;
  const club = `${members} members holding ${couponsPerMember.min}–${couponsPerMember.max} coupons`;
  const exported = await work.exportOf(members, couponsPerMember);
  const runDir = join(work.runs, `item-bytes-${members}`);
  const sandbox = await startSandboxChild();
  try {
    const night1 = await runJob({ source: exported.night1, runDir, fresh: true, apiUrl: sandbox.url, concurrency: options.concurrency });
    expectStatus(night1, 'succeeded', `night 1 of ${club}`);
    work.log(`item events, ${club}: night 1 sent ${night1.report.events.accepted} events in ${seconds(night1.child.wallMs)}`);
  } finally {
    await sandbox.stop();
  }
  const itemBytes = await plannedItemBytes(runDir, exported.night2);
  work.cleanUp(runDir);
  work.log(`item events, ${club}: night 2 would send ${itemBytes.autoBytes} bytes with auto, ${itemBytes.syncedBytes} with synced (${itemBytes.ratio})`);
  return { members, couponsPerMember, ...itemBytes };
}

// The state file's figures (issue 17): its size per member after a first night and a night without
// changes, and how long a run takes to open it up to its lock. Measured on the state file the no-change
// figure builds (the large size when its first real run fits the budget).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './bench-results.ts';
import { expectExit } from './expect-outcome.ts';
import { JOB_NODE_FLAGS } from './job-run.ts';
import { runMeasured } from './measured-child.ts';

const OPEN_SCRIPT = fileURLToPath(new URL('./open-state-child.ts', import.meta.url));
/** Opens measured; the best counts (a shared machine only ever makes one slower). */
const OPEN_ROUNDS = 3;

/** Bytes of the state file and its WAL in a run folder (the backups beside it are not the state file). */
export function stateFileBytes(runDir: string): number {
  const size = (name: string) => statSync(join(runDir, name), { throwIfNoEntry: false })?.size ?? 0;
  return size('state.sqlite') + size('state.sqlite-wal');
}

/** Opening the state file in `runDir` up to the run lock, in a child started as the job is. */
export async function measureStateOpen(runDir: string): Promise<BenchResults['stateFile']['openMs']> {
  const rounds: number[] = [];
  for (let round = 0; round < OPEN_ROUNDS; round++) {
    const child = await runMeasured(OPEN_SCRIPT, [join(runDir, 'state.sqlite')], { nodeFlags: JOB_NODE_FLAGS });
    expectExit(child, 0, 'opening the state file');
    const { ms, wholeFileChecked } = JSON.parse(child.stdout) as { ms: number; wholeFileChecked: boolean };
    // The first real run checked the whole file: a regular night's open is measured, not the weekly check.
    if (wholeFileChecked) throw new Error('opening the state file ran its whole-file check: the measured run did not record one');
    rounds.push(ms);
  }
  return { best: Math.min(...rounds), rounds };
}

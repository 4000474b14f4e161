// Not committed: issue 17's figures at full size without the rest of the benchmark.
import { writeFileSync } from 'node:fs';
import { openWorkspace } from './src/bench/bench-workspace.ts';
import { measureNoChange } from './src/bench/no-change.ts';
import { measureStateGrowth } from './src/bench/state-growth.ts';
const [what, size] = process.argv.slice(2) as [string, string];
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const work = openWorkspace({ dataDir: '/work/wt-snapshot2/bench/data', workDir: '/tmp/s2b/benchwork', keepWork: false, seed: 1, changeRate: 0.02, log });
if (what === 'growth') {
  const result = await measureStateGrowth(work, { growthMembers: Number(size), growthNights: 14, concurrency: 32 });
  writeFileSync(`/tmp/s2b/growth-${size}.json`, JSON.stringify(result, null, 1));
} else {
  const members = Number(size);
  const exported = await work.exportOf(members);
  const result = await measureNoChange(work, { members, smallMembers: members, noChangeMembers: members, noChangeBudgetMinutes: 999, concurrency: 32 }, { small: exported, large: exported });
  writeFileSync(`/tmp/s2b/nochange-${size}.json`, JSON.stringify(result, null, 1));
}

// Where the dry run's CPU time goes: one extra dry run at the large size under --cpu-prof, summarised in
// a child (the profiles are large). It is never one of the measured runs: profiling slows a run down.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchExport } from './bench-exports.ts';
import type { BenchResults } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import type { ProfilesSummary } from './cpu-profile-summary.ts';
import { expectExit } from './expect-outcome.ts';
import { runJob } from './job-run.ts';
import { runMeasured } from './measured-child.ts';

const PROFILE_SUMMARY = fileURLToPath(new URL('./cpu-profile-summary.ts', import.meta.url));

export async function profileDryRun(work: BenchWorkspace, exported: BenchExport, profileDir: string): Promise<NonNullable<BenchResults['profile']>> {
  const runDir = join(work.runs, 'dry-profile');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  work.log(`profiling a dry run at ${exported.members} members (--cpu-prof)…`);
  await runJob({ source: exported.night1, runDir, fresh: true, dryRun: true, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] });
  // One file per thread: the main thread and each ingest worker.
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')).sort().map((name) => join(profileDir, name));
  if (files.length === 0) throw new Error(`--cpu-prof wrote no profile into ${profileDir}`);
  const summary = await runMeasured(PROFILE_SUMMARY, ['--top', '30', ...files]);
  expectExit(summary, 0, 'the profile summary');
  work.cleanUp(runDir);
  return { files, summary: JSON.parse(summary.stdout) as ProfilesSummary };
}

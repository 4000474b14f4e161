// One measured `loyalty-sync run` in a child process (the real CLI, as an operator starts it), with its
// report.json read back for the stage durations and event counts.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../base/report-schema.ts';
import { launchFlagsOf } from '../cli/launch-flags.ts';
import { runMeasured, type MeasuredChild } from './measured-child.ts';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

/** The benchmark launches the job the way the bin, npm scripts and jobs/ do. */
export const JOB_NODE_FLAGS: readonly string[] = launchFlagsOf(CLI);

/** Any non-empty credentials are accepted by the sandbox. */
const SANDBOX_CREDENTIALS = { VIPPS_CLIENT_ID: 'bench', VIPPS_CLIENT_SECRET: 'bench', VIPPS_SUBSCRIPTION_KEY: 'bench', VIPPS_MERCHANT_SERIAL_NUMBER: '123456' };

export interface JobRunOptions {
  source: string;
  /** Folder for the state file, its staging file and the reports. */
  runDir: string;
  /** Start from an empty state file (removes runDir first). */
  fresh: boolean;
  dryRun?: boolean;
  apiUrl?: string;
  concurrency?: number | 'auto';
  maxRate?: number;
  /** More flags for `loyalty-sync run`. */
  args?: readonly string[];
  /** Node flags for the child, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
}

export interface JobRun {
  child: MeasuredChild;
  report: RunReport;
}

export async function runJob(options: JobRunOptions): Promise<JobRun> {
  if (options.fresh) rmSync(options.runDir, { recursive: true, force: true });
  mkdirSync(options.runDir, { recursive: true });
  const reportDir = join(options.runDir, 'reports');
  // latest.json is read back below: a run that writes none must not be taken for the previous one.
  rmSync(join(reportDir, 'latest.json'), { force: true });
  const args = ['run', '--source', options.source, '--state', join(options.runDir, 'state.sqlite'), '--report-dir', reportDir];
  if (options.dryRun) args.push('--dry-run');
  if (options.apiUrl) args.push('--api-url', options.apiUrl);
  if (options.concurrency !== undefined) args.push('--concurrency', String(options.concurrency));
  if (options.maxRate !== undefined) args.push('--max-rate', String(options.maxRate));
  args.push(...(options.args ?? []));
  const nodeFlags = [...JOB_NODE_FLAGS, ...(options.nodeFlags ?? [])];
  const child = await runMeasured(CLI, args, { env: { ...jobEnvironment(), ...SANDBOX_CREDENTIALS }, nodeFlags });
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(join(reportDir, 'latest.json'), 'utf8')) as RunReport;
  } catch {
    throw new Error(`loyalty-sync ${args.join(' ')} wrote no report (exit ${child.exitCode}${child.signal ? `, ${child.signal}` : ''}):\n${child.stderrTail}`);
  }
  return { child, report };
}

/** The benchmark's environment minus LOYALTY_SYNC_* settings a developer may have exported. */
export function jobEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('LOYALTY_SYNC_') && !name.startsWith('VIPPS_')) env[name] = value;
  }
  return env;
}

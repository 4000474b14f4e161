// A long first night in parts: a club's first export sent by several runs, each stopped by
// --deadline-minutes, each later one continuing where the one before stopped (it drains the outbox
// first). The real CLI against a sandbox process: a dry run says how long sending will take, then runs
// follow until one succeeds with nothing waiting. --max-rate makes each part's share predictable: a run
// can only be slower than its rate, never faster, so the first runs are sure to meet their deadline.
// Checked at the end: the sandbox got every event of the plan exactly once (one request per event, no
// duplicate, no anomaly, every member registered), and the job's state equals the export (a dry run
// afterwards plans nothing).
import type { RunReport } from '../base/report-schema.ts';
import { ensureExport } from './bench-exports.ts';
import { runJob, type JobRun } from './job-run.ts';
import { startSandboxChild } from './sandbox-child.ts';
import type { SandboxStats } from '../sandbox/server.ts';

export interface FirstNightOptions {
  members: number;
  seed: number;
  /** Requests/s of every run (--max-rate). */
  maxRate: number;
  deadlineMinutes: number;
  /** Give up (an error) when this many runs have not converged. */
  maxRuns: number;
  dataDir: string;
  /** Folder for the state file and the reports (emptied first). */
  runDir: string;
  log: (line: string) => void;
}

export interface FirstNightPart {
  status: RunReport['status'];
  exitCode: number;
  accepted: number;
  drained: number;
  planned: number;
  waiting?: RunReport['waiting'];
  sendEstimate?: RunReport['sendEstimate'];
  warnings: string[];
  wallMs: number;
}

export interface FirstNightResult {
  members: number;
  /** Events the generator says a first night plans. */
  expectedEvents: number;
  /** The dry run's plan summary on stdout, with how long sending will take. */
  dryRunSays: string;
  dryRun: { planned: number; sendEstimate?: RunReport['sendEstimate'] };
  parts: FirstNightPart[];
  /** Events a dry run plans once the night converged (0: the state is the export's). */
  plannedAfterwards: number;
  sandbox: Pick<SandboxStats, 'requests' | 'accepted' | 'duplicates' | 'anomalies' | 'rateLimited' | 'byAction'>;
}

export async function runFirstNightInParts(options: FirstNightOptions): Promise<FirstNightResult> {
  const { log } = options;
  const exported = await ensureExport(options.dataDir, { members: options.members, seed: options.seed, changeRate: 0.02 });
  const expectedEvents = exported.manifest.nights['night-1'].expectedEvents;
  const sandbox = await startSandboxChild();
  const run = (fresh: boolean, extra: { dryRun?: boolean } = {}) =>
    runJob({ source: exported.night1, runDir: options.runDir, fresh, apiUrl: sandbox.url, maxRate: options.maxRate, ...extra, args: ['--deadline-minutes', String(options.deadlineMinutes)] });
  try {
    const dry = await run(true, { dryRun: true });
    const dryRunSays = dry.child.stdout.split('\n').find((line) => line.startsWith('Sending: ')) ?? '';
    log(`dry run: ${dry.report.events.planned} events planned. ${dryRunSays}`);
    const parts: FirstNightPart[] = [];
    let last: JobRun | undefined;
    while (!last || last.report.status !== 'succeeded' || last.report.waiting) {
      if (parts.length >= options.maxRuns) throw new Error(`the first night did not converge in ${options.maxRuns} runs: ${JSON.stringify(parts.at(-1))}`);
      last = await run(false);
      const { report } = last;
      if (report.status !== 'partial' && report.status !== 'succeeded') throw new Error(`run ${parts.length + 1} ended ${report.status}: ${report.error?.code} ${report.error?.message}\n${last.child.stderrTail}`);
      parts.push({
        status: report.status,
        exitCode: report.exitCode,
        accepted: report.events.accepted,
        drained: report.events.drained,
        planned: report.events.planned,
        ...(report.waiting && { waiting: report.waiting }),
        ...(report.sendEstimate && { sendEstimate: report.sendEstimate }),
        warnings: report.warnings,
        wallMs: last.child.wallMs,
      });
      log(`run ${parts.length}: ${report.status} (exit ${report.exitCode}) in ${(last.child.wallMs / 1000).toFixed(1)} s, ${report.events.accepted} events accepted${report.waiting ? `, ${report.waiting.events} waiting` : ', nothing waiting'}`);
    }
    const afterwards = await run(false, { dryRun: true });
    const stats = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as SandboxStats;
    return {
      members: options.members,
      expectedEvents,
      dryRunSays,
      dryRun: { planned: dry.report.events.planned, ...(dry.report.sendEstimate && { sendEstimate: dry.report.sendEstimate }) },
      parts,
      plannedAfterwards: afterwards.report.events.planned,
      sandbox: { requests: stats.requests, accepted: stats.accepted, duplicates: stats.duplicates, anomalies: stats.anomalies, rateLimited: stats.rateLimited, byAction: stats.byAction },
    };
  } finally {
    await sandbox.stop();
  }
}

/** What the checks found wrong: empty when the night converged with every event sent exactly once. */
export function firstNightProblems(result: FirstNightResult): string[] {
  const problems: string[] = [];
  const { sandbox, parts, expectedEvents } = result;
  const accepted = parts.reduce((sum, part) => sum + part.accepted, 0);
  if (accepted !== expectedEvents) problems.push(`the runs accepted ${accepted} events, the first night has ${expectedEvents}`);
  if (sandbox.accepted !== expectedEvents) problems.push(`the sandbox applied ${sandbox.accepted} events, expected ${expectedEvents}`);
  if (sandbox.requests !== expectedEvents) problems.push(`the sandbox got ${sandbox.requests} requests for ${expectedEvents} events: something was sent twice`);
  if (sandbox.duplicates !== 0) problems.push(`${sandbox.duplicates} duplicates`);
  if (sandbox.anomalies.length > 0) problems.push(`${sandbox.anomalies.length} anomalies, first: ${JSON.stringify(sandbox.anomalies[0])}`);
  if (sandbox.byAction['benefits.member.registered'] !== result.members) problems.push(`${sandbox.byAction['benefits.member.registered']} members registered of ${result.members}`);
  if (result.plannedAfterwards !== 0) problems.push(`a dry run afterwards plans ${result.plannedAfterwards} events: the state is not the export's`);
  return problems;
}

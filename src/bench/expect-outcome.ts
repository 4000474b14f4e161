// A measurement of a child that failed is no measurement: these stop the benchmark with what the child
// said, instead of letting a crashed run's time pass for a fast one.
import type { JobRun } from './job-run.ts';
import type { MeasuredChild } from './measured-child.ts';

export function expectExit(child: MeasuredChild, code: number, what: string): void {
  if (child.exitCode !== code) throw new Error(`${what} exited with ${child.exitCode ?? child.signal} (expected ${code}):\n${child.stderrTail}`);
}

export function expectStatus(run: JobRun, status: string, what: string): void {
  if (run.report.status === status) return;
  const problem = run.report.error ? ` ${run.report.error.code}: ${run.report.error.message}` : '';
  throw new Error(`${what} ended ${run.report.status} (exit ${run.child.exitCode}), expected ${status}.${problem}\n${run.child.stderrTail}`);
}

// One dry run on a fresh state file, as the plan ratio and the peak-RSS figures take it: the job's wall
// and CPU time, peak RSS and memory curve, and a check that it planned what the generator expects (a
// run that planned less would look fast for the wrong reason).
import type { BenchExport } from './bench-exports.ts';
import type { DryRunFigures } from './bench-results.ts';
import { expectStatus } from './expect-outcome.ts';
import { runJob } from './job-run.ts';

export async function dryRun(exported: BenchExport, runDir: string, members: number): Promise<DryRunFigures> {
  const run = await runJob({ source: exported.night1, runDir, fresh: true, dryRun: true });
  expectStatus(run, 'dry-run', `the dry run at ${members} members`);
  const expected = exported.manifest.nights['night-1'].expectedEvents;
  if (run.report.events.planned !== expected) throw new Error(`the dry run at ${members} members planned ${run.report.events.planned} events; the generator expects ${expected}`);
  return {
    members,
    wallMs: run.child.wallMs,
    peakRssMb: run.child.peakRssMb ?? null,
    cpuMs: run.child.cpuMs ?? null,
    stageMs: run.report.durationsMs,
    eventsPlanned: run.report.events.planned,
    rowsRead: run.report.rows.read,
    load: run.child.load,
    memory: thin(run.child.memory, 40),
  };
}

/** Of repeated dry runs, the fastest (load only ever slows a run down), with the highest peak RSS seen. */
export function bestOf(previous: DryRunFigures | undefined, next: DryRunFigures): DryRunFigures {
  if (!previous) return next;
  return next.wallMs < previous.wallMs ? { ...next, peakRssMb: maxOrNull(previous.peakRssMb, next.peakRssMb) } : { ...previous, peakRssMb: maxOrNull(previous.peakRssMb, next.peakRssMb) };
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** At most `count` evenly spaced points of a curve, always keeping the last. */
function thin<T>(points: T[], count: number): T[] {
  if (points.length <= count) return points;
  const step = points.length / count;
  const kept = Array.from({ length: count - 1 }, (_, i) => points[Math.floor(i * step)]!);
  return [...kept, points.at(-1)!];
}

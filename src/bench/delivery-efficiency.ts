// Delivery efficiency: the job's delivery rate against a sandbox that answers after `latencyMs`, as a
// share of the ceiling that latency allows at the job's concurrency (concurrency ÷ latency: every
// connection busy all the time, waiting on nothing but the sandbox).
import { join } from 'node:path';
import type { RunReport } from '../base/report-schema.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { expectStatus } from './expect-outcome.ts';
import { round3 } from './figure-format.ts';
import { runJob, type JobRun } from './job-run.ts';
import { startSandboxChild } from './sandbox-child.ts';

type DeliveryOptions = Pick<BenchOptions, 'deliveryMembers' | 'concurrency' | 'latencyMs' | 'repeat'>;

export async function measureDeliveryEfficiency(work: BenchWorkspace, options: DeliveryOptions): Promise<{ delivery: BenchResults['delivery']; efficiency: number }> {
  const deliveryExport = await work.exportOf(options.deliveryMembers);
  const runDir = join(work.runs, 'delivery');
  // Like the dry runs, the best of `repeat` runs: a shared machine only ever makes a run slower.
  const ceilingEventsPerSec = options.concurrency / (options.latencyMs / 1000);
  const eventsPerSecOf = (run: JobRun) => run.report.events.accepted / (run.report.durationsMs.deliver / 1000);
  const deliveryRatesPerSec: number[] = [];
  let deliveryRun: JobRun | undefined;
  for (let round = 1; round <= options.repeat; round++) {
    const slowSandbox = await startSandboxChild({ faults: { latencyMs: options.latencyMs } });
    let run: JobRun;
    try {
      run = await runJob({ source: deliveryExport.night1, runDir, fresh: true, apiUrl: slowSandbox.url, concurrency: options.concurrency });
    } finally {
      await slowSandbox.stop();
    }
    expectStatus(run, 'succeeded', 'the delivery-efficiency run');
    work.cleanUp(runDir);
    deliveryRatesPerSec.push(Math.round(eventsPerSecOf(run)));
    work.log(`delivery at ${options.latencyMs} ms latency, round ${round}: ${Math.round(eventsPerSecOf(run))} events/s of a ${ceilingEventsPerSec} ceiling`);
    if (!deliveryRun || eventsPerSecOf(run) > eventsPerSecOf(deliveryRun)) deliveryRun = run;
  }
  const { report } = deliveryRun!;
  const deliveryEventsPerSec = eventsPerSecOf(deliveryRun!);
  return {
    delivery: {
      members: options.deliveryMembers,
      concurrency: options.concurrency,
      latencyMs: options.latencyMs,
      events: report.events.accepted,
      deliverMs: report.durationsMs.deliver,
      eventsPerSec: Math.round(deliveryEventsPerSec),
      eventsPerSecByRound: deliveryRatesPerSec,
      ceilingEventsPerSec,
      retries: report.events.retries,
      ...(report.delivery?.latencyMs && { observedLatencyMs: report.delivery.latencyMs }),
      ...steadyRateOf(report),
    },
    efficiency: round3(deliveryEventsPerSec / ceilingEventsPerSec),
  };
}

function steadyRateOf(report: RunReport): { steadyEventsPerSec?: number } {
  const slices = report.delivery?.timeline.slice(1, -1).filter((slice) => slice.seconds > 0) ?? [];
  if (slices.length === 0) return {};
  const rates = slices.map((slice) => slice.accepted / slice.seconds).sort((a, b) => a - b);
  return { steadyEventsPerSec: Math.round(rates[Math.floor(rates.length / 2)]!) };
}

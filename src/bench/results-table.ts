// The benchmark's table: each figure, its target, pass/fail, and the absolute numbers behind it.
import type { ItemBytes } from './bench-results.ts';
import type { BenchResults } from './run-benchmark.ts';
import { describeBound, FIGURES, type FigureKey } from './targets.ts';

const n = (value: number) => value.toLocaleString('en-US');

export function resultsTable(results: BenchResults): string {
  const { params, plan, noChange, rawDelivery, delivery, sandboxLoad, rateLimited, autoVsFixed, stateFile, stateGrowth, itemBytesManyCoupons: many, fleet } = results;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const large = plan.dryRuns[String(params.members)]!;
  const behind: Record<FigureKey, string> = {
    planRatio: `dry run ${s(plan.dryRunBestMs)} ÷ csv-parse ${s(plan.parseFloorBestMs)} (${n(params.members)} members, ${n(large.rowsRead)} rows; best of ${params.repeat}; CPU-time ratio ${results.planRatioCpu ?? '?'})`,
    peakRssMbLarge: `${n(params.members)} members; ${n(params.smallMembers)}: ${results.peakRssMbSmall ?? '?'} MB`,
    rssGrowth: `${results.peakRssMbSmall ?? '?'} MB → ${results.peakRssMbLarge ?? '?'} MB`,
    noChangeRatio: `rerun ${s(noChange.rerunMs)} ÷ dry run ${s(noChange.dryRunMs)} at ${n(noChange.members)} members; first real run ${s(noChange.buildMs)}, state file ${n(noChange.stateFileMb.afterBuild)} MB`,
    deliveryEfficiency: `${n(delivery.eventsPerSec)} of ${n(delivery.ceilingEventsPerSec)} events/s (${n(delivery.events)} events, ${delivery.latencyMs} ms, concurrency ${delivery.concurrency}${delivery.steadyEventsPerSec ? `; steady ${n(delivery.steadyEventsPerSec)}/s` : ''})`,
    rawEventsPerSec: `${n(rawDelivery.events)} events in ${s(rawDelivery.deliverMs)} (${n(rawDelivery.members)} members, concurrency ${rawDelivery.concurrency}; whole run ${n(rawDelivery.endToEndEventsPerSec)}/s)`,
    sandboxEventsPerSec: `${n(sandboxLoad.events)} events in ${s(sandboxLoad.ms)}, concurrency ${sandboxLoad.concurrency}`,
    rateLimitEfficiency: `${n(rateLimited.best.steadyEventsPerSec)} of ${n(rateLimited.rateLimit)} events/s after the ${n(rateLimited.initialBurst)}-request initial burst (${n(rateLimited.best.eventsPerSec)}/s with it; ${n(rateLimited.best.events)} events, ${rateLimited.latencyMs} ms; best of ${rateLimited.rounds.length}: ${rateLimited.rounds.map((round) => n(round.steadyEventsPerSec)).join(', ')})`,
    rateLimit429Share: `${n(rateLimited.best.answered429)} of ${n(rateLimited.best.requests)} requests (rounds: ${rateLimited.rounds.map((round) => n(round.answered429)).join(', ')})`,
    autoVsBestFixed: `auto ${n(autoVsFixed.autoEventsPerSec)} events/s vs ${n(autoVsFixed.bestFixed.eventsPerSec)} at concurrency ${autoVsFixed.bestFixed.concurrency} (capacity ${autoVsFixed.capacity}, ${autoVsFixed.latencyMs} ms; best per setting: ${Object.entries(autoVsFixed.eventsPerSecByRound).map(([setting, rates]) => `${setting} ${n(Math.max(...rates))}`).join(', ')})`,
    stateBytesPerMember: `${n(stateFile.bytesAfterRerun)} bytes ÷ ${n(stateFile.members)} members (after night 1: ${n(stateFile.bytesAfterBuild)})`,
    stateGrowth14Nights: `${n(stateGrowth.lastBytes)} ÷ ${n(stateGrowth.afterNight2Bytes)} bytes, ${stateGrowth.nights.length} nights at ${n(stateGrowth.members)} members, window ${stateGrowth.windowNights} nights`,
    stateOpenMs1M: `at ${n(stateFile.members)} members (best of ${stateFile.openMs.rounds.join(', ')} ms)`,
    itemBytesRatio: itemBytesBehind(stateGrowth.itemBytes, stateGrowth.members),
    fleetPlanRatio: `fleet ${s(fleet.fleetMs)} ÷ ${s(fleet.aloneSumMs)} (${n(fleet.merchants)} merchants × ${n(fleet.membersPerMerchant)} members, ${fleet.merchantConcurrency} at once; each alone ${s(Math.min(...fleet.aloneMs))}–${s(Math.max(...fleet.aloneMs))}; wall ${s(fleet.fleetWallMs)})`,
    fleetPeakRssMb: `${n(fleet.merchants)} merchants × ${n(fleet.membersPerMerchant)} members, ${fleet.merchantConcurrency} at once, one process`,
  };
  const rows = FIGURES.map((figure) => {
    const entry = results.figures.find((candidate) => candidate.key === figure.key)!;
    return [figure.label, entry.value === null ? 'n/a' : figure.format(entry.value), describeBound(figure.target, figure.format), entry.pass ? 'pass' : 'FAIL', behind[figure.key]];
  });
  const header = ['figure', 'value', 'target', 'result', 'measured'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  const { machine } = results;
  return [
    `loyalty-sync benchmark · ${machine.cpus} CPUs (${machine.cpuModel}) · Node ${machine.node} · ${n(params.members)} members (small ${n(params.smallMembers)}) · seed ${params.seed} · change rate ${params.changeRate} · ${s(results.durationMs)}`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    `no-change size: ${noChange.reason}`,
    `item events on a club holding ${many.couponsPerMember.min}–${many.couponsPerMember.max} coupons per member (no target): auto ÷ synced ${many.ratio}, ` +
      itemBytesBehind(many, many.members),
  ].join('\n');
}

function itemBytesBehind(bytes: ItemBytes, members: number): string {
  return (
    `${n(bytes.autoBytes)} ÷ ${n(bytes.syncedBytes)} bytes at ${n(members)} members; ${n(bytes.sameInEveryModeBytes)} of them the same in every mode ` +
    `(member and bonus-check events, first syncs), so no mode goes below ${bytes.floorRatio}; on the sets whose form auto chose, ${bytes.decidedRatio}`
  );
}

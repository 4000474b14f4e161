// A first night too long for one run: --dry-run says how long sending will take, each run stops cleanly
// at --deadline-minutes (partial, exit 3, what is not sent waits in the outbox, no member failed), the
// next ones continue where it stopped, and the night converges with every event sent exactly once. The
// real CLI and a sandbox process, at 1,500 members (the same harness at 100,000 is `npm run
// first-night`; at that size it takes minutes).
import { describe, expect, it } from 'vitest';
import { firstNightProblems, runFirstNightInParts } from '../../src/bench/first-night.ts';
import { tempDir } from '../fixtures/temp.ts';

const MAX_RATE = 400;

describe('a long first night', () => {
  it('is sent by deadline-bounded runs, each continuing where the last stopped, with nothing sent twice', async () => {
    const lines: string[] = [];
    // ~4,400 events at 400/s take at least 11 s of sending: a 4.8 s deadline cannot be met by the first
    // run, nor by the second (at least 2,400 events are left for it), on any machine: a busy one only
    // makes them slower. So the night takes three runs or more.
    const result = await runFirstNightInParts({
      members: 1500,
      seed: 1,
      maxRate: MAX_RATE,
      deadlineMinutes: 0.08,
      maxRuns: 8,
      dataDir: tempDir(),
      runDir: tempDir(),
      log: (line) => lines.push(line),
    });
    expect(firstNightProblems(result), lines.join('\n')).toEqual([]);

    // The dry run says how long: "Sending: 4,391 events ≈ 11.0 s at 400/s (--max-rate)".
    expect(result.dryRun.planned).toBe(result.expectedEvents);
    expect(result.dryRun.sendEstimate).toEqual({ events: result.expectedEvents, eventsPerSec: MAX_RATE, seconds: Math.ceil(result.expectedEvents / MAX_RATE), basis: 'max-rate' });
    expect(result.dryRunSays).toMatch(new RegExp(`^Sending: ${result.expectedEvents.toLocaleString('en-GB')} events ≈ \\d+\\.\\d s at 400/s \\(--max-rate\\)$`));

    const [first, second, ...rest] = result.parts;
    expect(result.parts.length).toBeGreaterThanOrEqual(3);
    // The first run planned the whole night and stopped at its deadline; the second only drained.
    expect(first).toMatchObject({ status: 'partial', exitCode: 3, planned: result.expectedEvents, drained: 0 });
    expect(second).toMatchObject({ status: 'partial', exitCode: 3, planned: 0 });
    for (const stopped of result.parts.slice(0, -1)) {
      expect(stopped.waiting!.events).toBeGreaterThan(0);
      expect(stopped.warnings.join('\n')).toMatch(/deadline \(--deadline-minutes 0\.08\) was reached: [\d,]+ members with [\d,]+ events wait in the outbox, and the next run sends them first \([\d,]+ events ≈ .* at 400\/s \(--max-rate\)\)/);
      expect(stopped.sendEstimate).toMatchObject({ events: stopped.waiting!.events, eventsPerSec: MAX_RATE, basis: 'max-rate' });
    }
    // Each run continued where the one before stopped: it sent what waited, and nothing else was planned.
    result.parts.slice(1).forEach((part, index) => {
      expect(part.drained).toBe(part.accepted);
      expect(part.drained + (part.waiting?.events ?? 0)).toBe(result.parts[index]!.waiting!.events);
    });
    expect(rest.at(-1) ?? second).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(result.parts.at(-1)!.waiting).toBeUndefined();
  });
});

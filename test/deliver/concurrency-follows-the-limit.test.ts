// How many members are delivered at once: p-limit's places, fixed with --concurrency N, following the
// adaptive limit with --concurrency auto (members already started finish when the limit is cut).
import { describe, expect, it } from 'vitest';
import { createConcurrency } from '../../src/deliver/concurrency.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Queues `count` members that each wait for their gate; returns the gates. */
function queueMembers(run: (task: () => Promise<void>) => Promise<void>, count: number) {
  const gates = Array.from({ length: count }, gate);
  const finished = gates.map((member) => run(() => member.opened));
  return { gates, finished };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrency', () => {
  it('--concurrency N: N members at once, whatever the answers say', async () => {
    let clock = 0;
    const concurrency = createConcurrency(3, { max: 64, now: () => clock });
    const { gates, finished } = queueMembers(concurrency.run, 10);
    await settle();
    expect([concurrency.mode, concurrency.limit, concurrency.inFlight, concurrency.waiting]).toEqual(['fixed', 3, 3, 7]);
    for (let n = 0; n < 100; n++) {
      clock += 10;
      concurrency.record({ startedAt: clock - 20, latencyMs: 20, status: n % 2 ? 429 : 200, accepted: n % 2 === 0 });
    }
    await settle();
    expect([concurrency.limit, concurrency.inFlight]).toEqual([3, 3]);
    for (const member of gates) member.open();
    await Promise.all(finished);
    expect([concurrency.inFlight, concurrency.waiting]).toEqual([0, 0]);
  });

  it('--concurrency auto: starts queued members when the limit grows, lets members in flight finish when it is cut', async () => {
    let clock = 0;
    const changes: { from: number; to: number; inFlight: number }[] = [];
    const concurrency = createConcurrency('auto', { max: 64, initial: 4, now: () => clock, onChange: (change) => changes.push(change) });
    const { gates, finished } = queueMembers(concurrency.run, 40);
    await settle();
    expect([concurrency.mode, concurrency.limit, concurrency.inFlight]).toEqual(['auto', 4, 4]);

    // Fast answers at the latency floor for a window: slow start doubles the limit, and 4 more members start.
    for (let n = 0; n < 40; n++) {
      clock += 5;
      concurrency.record({ startedAt: clock - 20, latencyMs: 20, status: 200, accepted: true });
    }
    await settle();
    expect([concurrency.limit, concurrency.inFlight]).toEqual([8, 8]);
    expect(changes).toEqual([{ from: 4, to: 8, reason: 'no queue', inFlight: 4 }]);

    // A 429: the limit is cut to 4; the 8 members already started are not stopped, no new one starts
    // until fewer than 4 are left.
    clock += 5;
    concurrency.record({ startedAt: clock - 20, latencyMs: 20, status: 429, accepted: false });
    await settle();
    expect([concurrency.limit, concurrency.inFlight]).toEqual([4, 8]);
    for (const member of gates.slice(0, 5)) member.open();
    await settle();
    expect(concurrency.inFlight).toBe(4);
    for (const member of gates) member.open();
    await Promise.all(finished);
  });
});

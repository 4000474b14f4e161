import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox, type SandboxClient } from './fixtures/sandbox-client.ts';

const FAULTS = { errorRate: 0.3, resetRate: 0.15, acceptThenDropRate: 0.15 };
const COUNT = 40;

/** What each of COUNT sequential requests met: an HTTP status, or `socket` for a reset/dropped connection. */
async function faultSequence(client: SandboxClient, prefix: string): Promise<(number | 'socket')[]> {
  const outcomes: (number | 'socket')[] = [];
  for (let n = 0; n < COUNT; n += 1) {
    try {
      outcomes.push((await client.sendEvent(registered(`${prefix}-${n}`))).status);
    } catch {
      outcomes.push('socket');
    }
  }
  return outcomes;
}

describe('seeded fault decisions', () => {
  it('gives the same fault sequence for the same seed in two sandboxes', async () => {
    const first = await openSandbox({ faults: { ...FAULTS, seed: 1234 } });
    const second = await openSandbox({ faults: { ...FAULTS, seed: 1234 } });

    const a = await faultSequence(first.client, 'a');
    const b = await faultSequence(second.client, 'b');

    expect(a).toEqual(b);
    // The sequence really mixes outcomes, so the equality above says something.
    expect(new Set(a).size).toBeGreaterThanOrEqual(3);
    expect(first.sandbox.stats()).toMatchObject({ resets: second.sandbox.stats().resets, drops: second.sandbox.stats().drops });
  });

  it('gives another sequence for another seed', async () => {
    const first = await openSandbox({ faults: { ...FAULTS, seed: 1 } });
    const second = await openSandbox({ faults: { ...FAULTS, seed: 2 } });
    expect(await faultSequence(first.client, 'a')).not.toEqual(await faultSequence(second.client, 'b'));
  });

  it('replays the sequence after a reset, and after setting the same seed again', async () => {
    const { client, sandbox } = await openSandbox({ faults: { ...FAULTS, seed: 99 } });
    const original = await faultSequence(client, 'x');

    sandbox.reset();
    expect(await faultSequence(client, 'x')).toEqual(original);

    sandbox.setFaults({ seed: 99 });
    expect(await faultSequence(client, 'y')).toEqual(original);
  });

  it('shows a randomly drawn seed when none was given, and that seed replays the run', async () => {
    const { client, sandbox } = await openSandbox({ faults: FAULTS });
    const { seed } = sandbox.faults();
    const original = await faultSequence(client, 'p');

    const replay = await openSandbox({ faults: { ...FAULTS, seed } });
    expect(await faultSequence(replay.client, 'q')).toEqual(original);
  });
});

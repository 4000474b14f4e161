import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

describe('connection reset fault (resetRate)', () => {
  it('destroys the connection before processing: the client sees a socket error and nothing is applied', async () => {
    const { client, sandbox } = await openSandbox();
    await client.accessToken();
    sandbox.setFaults({ resetRate: 1 });
    const event = registered('c-1');

    await expect(client.sendEvent(event)).rejects.toThrow(/socket|closed|reset|ECONNRESET|EPIPE/i);

    expect(sandbox.member('c-1')).toBeUndefined();
    expect(sandbox.events()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ requests: 1, resets: 1, accepted: 0, byStatus: {} });

    // Nothing was remembered, so the re-send is a first delivery, not a duplicate.
    sandbox.setFaults({ resetRate: 0 });
    expect((await client.sendEvent(event)).status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('does not touch the token endpoint', async () => {
    const { client } = await openSandbox({ faults: { resetRate: 1 } });
    expect((await client.fetchToken()).status).toBe(200);
  });
});

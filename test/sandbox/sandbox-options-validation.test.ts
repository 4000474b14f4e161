import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

describe('sandbox options are validated when the sandbox starts', () => {
  it.each([
    [{ port: 70_000 }, 'port'],
    [{ tokenLifetimeSeconds: 0 }, 'tokenLifetimeSeconds'],
    [{ faults: { errorRate: 1.5 } }, 'faults.errorRate'],
    [{ faults: { rateLimit: { requestsPerSecond: 0 } } }, 'faults.rateLimit.requestsPerSecond'],
    [{ credentials: { clientId: 'a', clientSecret: '', subscriptionKey: 'c', merchantSerialNumber: 'd' } }, 'credentials.clientSecret'],
  ])('rejects %j with a ConfigError naming %s', async (options, path) => {
    const start = startSandbox(options as never);
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(path);
  });

  it('rejects invalid faults given to setFaults and keeps the old ones', async () => {
    const { sandbox } = await openSandbox({ faults: { errorRate: 0.5 } });
    expect(() => sandbox.setFaults({ errorRate: -0.1 })).toThrow(ConfigError);
    expect(sandbox.faults().errorRate).toBe(0.5);
  });

  it('listens on a free port and gives a url without a trailing slash', async () => {
    const { sandbox } = await openSandbox();
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
  });

  it('can be closed twice', async () => {
    const sandbox = await startSandbox();
    await sandbox.close();
    await expect(sandbox.close()).resolves.toBeUndefined();
  });
});

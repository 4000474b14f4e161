// A fleet's merchants share one cap on requests in flight (`maxRequestsInFlight`), whatever each one's own
// concurrency: a node:http proxy in front of a slow sandbox counts the requests it holds at once.
import { cpSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadFleetConfig } from '../../src/config/load-fleet.ts';
import { runFleet } from '../../src/fleet/run-fleet.ts';
import { createLogger } from '../../src/log.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

/** Passes every request on to `target`, counting how many it holds at once. */
async function countingProxy(target: string): Promise<{ url: string; peak: () => number; total: () => number }> {
  let inFlight = 0;
  let peak = 0;
  let total = 0;
  const server = createServer(async (req, res) => {
    inFlight++;
    total++;
    peak = Math.max(peak, inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await request(`${target}${req.url}`, { method: req.method as 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      const body = Buffer.from(await answer.body.arrayBuffer());
      res.writeHead(answer.statusCode, answer.headers as Record<string, string>).end(body);
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, peak: () => peak, total: () => total };
}

describe('fleet request cap', () => {
  it('never has more requests in flight than maxRequestsInFlight across every merchant', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 15 } });
    const proxy = await countingProxy(sandbox.url);
    const dir = tempDir('loyalty-sync-fleet-cap-');
    const ids = ['shop-a', 'shop-b', 'shop-c'];
    for (const id of ids) cpSync(join(SAMPLES, 'night-1'), join(dir, 'drops', id), { recursive: true });
    const config = join(dir, 'fleet.json');
    writeFileSync(
      config,
      JSON.stringify({
        stateDir: join(dir, 'state'),
        reportDir: join(dir, 'reports'),
        merchantConcurrency: 3,
        maxRequestsInFlight: 3,
        defaults: { concurrency: 16, logLevel: 'silent' },
        merchants: ids.map((id, index) => ({ id, merchantSerialNumber: String(300001 + index), source: join(dir, 'drops', id) })),
      }),
    );
    const fleet = loadFleetConfig({ config, 'api-url': proxy.url, 'log-level': 'silent' }, { VIPPS_CLIENT_ID: 'partner', VIPPS_CLIENT_SECRET: 'partner-secret', VIPPS_SUBSCRIPTION_KEY: 'partner-key' });
    const { report } = await runFleet({ fleet, logger: createLogger({ level: 'silent' }) });

    expect(report.rows.map((row) => row.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const [index] of ids.entries()) expect(sandbox.members({ merchantSerialNumber: String(300001 + index) })).toHaveLength(60);
    expect(proxy.total()).toBeGreaterThan(3 * 149);
    expect(proxy.peak()).toBeGreaterThan(1);
    expect(proxy.peak()).toBeLessThanOrEqual(3);
  });
});

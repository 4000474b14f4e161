// The sandbox's own throughput: a plain undici client (no retries, no SQLite, no planning) posting valid
// `member.registered` events as fast as the sandbox answers them. Issue 3 asks for ≥ 5,000 events/s on
// loopback; measuring it beside the job's raw delivery shows which side is the bottleneck.
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { systemHeaders } from '../api/system-headers.ts';

export interface LoadResult {
  events: number;
  concurrency: number;
  ms: number;
  eventsPerSec: number;
  /** Answers other than 200 (should be 0). */
  notAccepted: number;
}

const CREDENTIALS = { client_id: 'bench', client_secret: 'bench', 'Ocp-Apim-Subscription-Key': 'bench', 'Merchant-Serial-Number': '123456' };

export async function loadSandbox(url: string, options: { events: number; concurrency: number; warmup?: number }): Promise<LoadResult> {
  const pool = new Pool(url, { connections: options.concurrency });
  try {
    const system = systemHeaders({ name: 'loyalty-sync-bench', version: '1' });
    const tokenAnswer = await pool.request({ method: 'POST', path: '/accesstoken/get', headers: { ...CREDENTIALS, ...system } });
    const { access_token: token } = (await tokenAnswer.body.json()) as { access_token: string };
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'ocp-apim-subscription-key': CREDENTIALS['Ocp-Apim-Subscription-Key'],
      'merchant-serial-number': CREDENTIALS['Merchant-Serial-Number'],
      ...system,
    };
    const run = randomUUID().slice(0, 8);
    let notAccepted = 0;
    const post = async (n: number) => {
      const body = JSON.stringify({
        eventId: `evt-load-${run}-${n}`,
        timestamp: '2026-01-15T02:00:00Z',
        action: 'benefits.member.registered',
        payload: { contactId: `LOAD-${run}-${n}`, phoneNumber: `+47${48_000_000 + (n % 1_000_000)}`, bonusPoints: { balance: n % 5000 }, tier: 'bronze' },
      });
      const answer = await pool.request({ method: 'POST', path: '/loyalty/v1/events', headers, body });
      await answer.body.dump();
      if (answer.statusCode !== 200) notAccepted++;
    };
    const blast = async (from: number, count: number) => {
      let next = from;
      const worker = async () => {
        while (next < from + count) await post(next++);
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    };
    // Warm-up: connections opened, code paths compiled.
    await blast(0, options.warmup ?? 1000);
    notAccepted = 0;
    const started = performance.now();
    await blast(1_000_000, options.events);
    const ms = performance.now() - started;
    return { events: options.events, concurrency: options.concurrency, ms: Math.round(ms), eventsPerSec: Math.round(options.events / (ms / 1000)), notAccepted };
  } finally {
    await pool.close();
  }
}

// Push the run's metrics to a Prometheus Pushgateway: PUT <url>/metrics/job/<job>{/<label>/<value>},
// which replaces everything in that group with this run's numbers (see renderMetrics for why the last
// success timestamp is carried along). Values with a "/" (a shard "0/4") or empty values go base64url
// encoded with the "@base64" suffix, the only form the Pushgateway reads for them.
import { OutboundError } from '../errors.ts';
import { DEFAULT_OUTBOUND_TIMEOUT_MS, sendOutbound } from './outbound-request.ts';

export interface PushOptions {
  /** More grouping labels, e.g. `{ shard: '0/4' }` so shards of one job do not replace each other. */
  grouping?: Record<string, string>;
  timeoutMs?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export async function pushMetrics(url: string, job: string, text: string, options: PushOptions = {}): Promise<void> {
  if (job === '') throw new OutboundError('METRICS_PUSH_FAILED', 'Pushgateway push failed: expected a job name, got an empty one');
  for (const name of Object.keys(options.grouping ?? {})) {
    if (!LABEL_NAME.test(name) || name === 'job') {
      throw new OutboundError('METRICS_PUSH_FAILED', `Pushgateway push failed: expected a label name like "shard" (not "job"), got "${name}"`);
    }
  }
  await sendOutbound({
    code: 'METRICS_PUSH_FAILED',
    what: 'Pushgateway push',
    url,
    extraPath: groupingPath(job, options.grouping ?? {}),
    showPath: true,
    method: 'PUT',
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
    body: text,
    timeoutMs: options.timeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS,
  });
}

export function groupingPath(job: string, grouping: Record<string, string>): string {
  const segment = (name: string, value: string) =>
    value === '' || value.includes('/') ? `/${name}@base64/${Buffer.from(value).toString('base64url') || '='}` : `/${name}/${encodeURIComponent(value)}`;
  return `/metrics${segment('job', job)}${Object.entries(grouping)
    .map(([name, value]) => segment(name, value))
    .join('')}`;
}

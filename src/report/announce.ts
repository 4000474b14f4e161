// After a run's report is safe on disk: push its metrics to a Pushgateway and tell a webhook when the
// run did not succeed. Best effort: a failure here is logged and never changes the run's status.
import type { RunConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { notifyWebhook } from './notify.ts';
import { pushMetrics } from './push-metrics.ts';
import type { RunReport } from '../base/report-schema.ts';

export async function announceRun(config: RunConfig, report: RunReport, reportPath: string, metrics: string, logger: Logger): Promise<void> {
  const { pushgatewayUrl, notifyUrl, metricsJob, shard } = config;
  const attempts: Promise<void>[] = [];
  if (pushgatewayUrl && report.status !== 'dry-run') {
    attempts.push(pushMetrics(pushgatewayUrl, metricsJob, metrics, { ...(shard && { grouping: { shard: `${shard.index}/${shard.count}` } }) }));
  }
  if (notifyUrl && !['succeeded', 'skipped', 'dry-run'].includes(report.status)) attempts.push(notifyWebhook(notifyUrl, report, reportPath));
  for (const outcome of await Promise.allSettled(attempts)) {
    if (outcome.status === 'rejected') logger.warn({ stage: 'report', err: outcome.reason }, 'could not announce the run');
  }
}

// Counters of the events endpoint, shown by GET /_sandbox/stats and `sandbox.stats()`, so tests and
// benchmarks can check what the client really sent and which faults it met.
import { ACTIONS, type Action } from '../base/actions.ts';
import type { AnomalyReason } from './member-registry.ts';

export interface Anomaly {
  eventId: string;
  contactId: string;
  action: Action;
  reason: AnomalyReason;
  detail: string;
}

export interface SandboxStats {
  /** `POST /loyalty/v1/events` requests received, including those reset, dropped or refused. */
  requests: number;
  /** Distinct events accepted (duplicates not included), by action; every action is present. */
  byAction: Record<Action, number>;
  /** Answers of the events endpoint by HTTP status; statuses never answered are absent. */
  byStatus: Record<string, number>;
  accepted: number;
  /** Re-sends of an accepted eventId with the same body: answered 200, not applied again. */
  duplicates: number;
  anomalies: Anomaly[];
  /** Injected faults: connections reset before processing, accepted-then-dropped answers, accepted
   * events answered with an HTML 200, delayed requests, 5xx answers, 429 answers, permanent 400s for
   * `failContactIds`; requests that found every place of the service taken (`capacity`) and waited. */
  resets: number;
  drops: number;
  nonJsonAnswers: number;
  delayed: number;
  serverErrors: number;
  rateLimited: number;
  failedContacts: number;
  queued: number;
  /** `POST /accesstoken/get` outcomes; `tokenFailures` counts the injected failure answers. */
  tokensIssued: number;
  tokensRejected: number;
  tokenFailures: number;
}

export function emptyStats(): SandboxStats {
  return {
    requests: 0,
    byAction: Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<Action, number>,
    byStatus: {},
    accepted: 0,
    duplicates: 0,
    anomalies: [],
    resets: 0,
    drops: 0,
    nonJsonAnswers: 0,
    delayed: 0,
    serverErrors: 0,
    rateLimited: 0,
    failedContacts: 0,
    queued: 0,
    tokensIssued: 0,
    tokensRejected: 0,
    tokenFailures: 0,
  };
}

export function countStatus(stats: SandboxStats, status: number): void {
  const key = String(status);
  stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
}


// Everything the sandbox remembers between requests: dedup memory (eventId → body digest), the
// recorded events, member state and the counters. `clear()` is POST /_sandbox/reset.
import type { LoyaltyEvent } from '../api/events.ts';
import type { Action } from '../base/actions.ts';
import { MemberRegistry } from './member-registry.ts';
import { emptyStats, type SandboxStats } from './sandbox-stats.ts';

/** One accepted event as GET /_sandbox/events shows it, in arrival order. */
export interface RecordedEvent {
  eventId: string;
  action: Action;
  contactId: string;
  timestamp: string;
  /** When the sandbox accepted it (ISO 8601, from the sandbox clock). */
  receivedAt: string;
  payload: LoyaltyEvent['payload'];
}

/** What an eventId means for an incoming body: never seen, seen with the same body, or with another body. */
export type Admission = 'new' | 'duplicate' | 'conflict';

export class SandboxState {
  readonly members = new MemberRegistry();
  readonly stats: SandboxStats = emptyStats();
  readonly #recordEvents: boolean;
  readonly #digests = new Map<string, string>();
  readonly #recorded: RecordedEvent[] = [];

  constructor(options: { recordEvents: boolean }) {
    this.#recordEvents = options.recordEvents;
  }

  get recordsEvents(): boolean {
    return this.#recordEvents;
  }

  admission(eventId: string, digest: string): Admission {
    const known = this.#digests.get(eventId);
    if (known === undefined) return 'new';
    return known === digest ? 'duplicate' : 'conflict';
  }

  /** Remembers, applies and records an event that `admission()` called new. */
  commit(event: LoyaltyEvent, digest: string, receivedAt: string): void {
    this.#digests.set(event.eventId, digest);
    const { contactId } = event.payload;
    const outcome = this.members.apply(event);
    if (outcome.anomaly) this.stats.anomalies.push({ eventId: event.eventId, contactId, action: event.action, ...outcome.anomaly });
    this.stats.accepted += 1;
    this.stats.byAction[event.action] += 1;
    if (this.#recordEvents) {
      this.#recorded.push({ eventId: event.eventId, action: event.action, contactId, timestamp: event.timestamp, receivedAt, payload: event.payload });
    }
  }

  /** Recorded events in arrival order, optionally of one contact; copies. */
  events(contactId?: string): RecordedEvent[] {
    const selected = contactId === undefined ? this.#recorded : this.#recorded.filter((event) => event.contactId === contactId);
    return structuredClone(selected);
  }

  clear(): void {
    this.members.clear();
    this.#digests.clear();
    this.#recorded.length = 0;
    Object.assign(this.stats, emptyStats());
  }
}

// Everything the sandbox remembers between requests: dedup memory (eventId → body digest), the recorded
// events, member state and the counters; `clear()` is POST /_sandbox/reset. Kept twice over: for the
// sandbox as a whole, exactly as a sandbox serving one merchant always kept it (an event re-sent under
// another serial number is a duplicate there), and per merchant serial number, as the API keeps each
// merchant's club apart (`?msn=`: a partner's fleet sends for many). The two share the events' payloads.
import type { LoyaltyEvent } from '../api/events.ts';
import type { Action } from '../base/actions.ts';
import { type MemberState, MemberRegistry } from './member-registry.ts';
import { countStatus, emptyStats, type SandboxStats } from './sandbox-stats.ts';

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

/** What an event is to the sandbox as a whole, and to its merchant. */
export interface Admissions {
  sandbox: Admission;
  merchant: Admission;
}

/** The counters that count one occurrence each. */
export type Counter = { [K in keyof SandboxStats]: SandboxStats[K] extends number ? K : never }[keyof SandboxStats];

/** One club: members, dedup memory, counters and the events it accepted. */
class Club {
  readonly members = new MemberRegistry();
  readonly stats: SandboxStats = emptyStats();
  readonly digests = new Map<string, string>();
  readonly recorded: RecordedEvent[] = [];

  admission(eventId: string, digest: string): Admission {
    const known = this.digests.get(eventId);
    if (known === undefined) return 'new';
    return known === digest ? 'duplicate' : 'conflict';
  }

  commit(event: LoyaltyEvent, digest: string, recorded: RecordedEvent | undefined): void {
    this.digests.set(event.eventId, digest);
    const outcome = this.members.apply(event);
    if (outcome.anomaly) this.stats.anomalies.push({ eventId: event.eventId, contactId: event.payload.contactId, action: event.action, ...outcome.anomaly });
    this.stats.accepted += 1;
    this.stats.byAction[event.action] += 1;
    if (recorded) this.recorded.push(recorded);
  }
}

export class SandboxState {
  readonly #recordEvents: boolean;
  #sandbox = new Club();
  readonly #merchants = new Map<string, Club>();

  constructor(options: { recordEvents: boolean }) {
    this.#recordEvents = options.recordEvents;
  }

  get recordsEvents(): boolean {
    return this.#recordEvents;
  }

  /** Serial numbers that sent anything, sorted. */
  merchantSerialNumbers(): string[] {
    return [...this.#merchants.keys()].filter((msn) => msn !== '').sort();
  }

  /** One more of `counter`, for the sandbox and for the merchant ('' for a request without a serial number). */
  count(merchantSerialNumber: string, counter: Counter): void {
    this.#sandbox.stats[counter] += 1;
    this.#club(merchantSerialNumber).stats[counter] += 1;
  }

  countStatus(merchantSerialNumber: string, status: number): void {
    countStatus(this.#sandbox.stats, status);
    countStatus(this.#club(merchantSerialNumber).stats, status);
  }

  admission(merchantSerialNumber: string, eventId: string, digest: string): Admissions {
    return { sandbox: this.#sandbox.admission(eventId, digest), merchant: this.#merchants.get(merchantSerialNumber)?.admission(eventId, digest) ?? 'new' };
  }

  /**
   * Applies and records an event where `admission()` called it new; counts a duplicate where it was one
   * (not while the state file is replayed: per-process counters start at zero).
   */
  commit(merchantSerialNumber: string, event: LoyaltyEvent, digest: string, receivedAt: string, admissions: Admissions, options = { countDuplicates: true }): void {
    const recorded = this.#recordEvents
      ? { eventId: event.eventId, action: event.action, contactId: event.payload.contactId, timestamp: event.timestamp, receivedAt, payload: event.payload }
      : undefined;
    const merchant = this.#club(merchantSerialNumber);
    for (const [club, admission] of [[this.#sandbox, admissions.sandbox], [merchant, admissions.merchant]] as const) {
      if (admission === 'new') club.commit(event, digest, recorded);
      else if (admission === 'duplicate' && options.countDuplicates) club.stats.duplicates += 1;
    }
  }

  /** One merchant's counters, or the sandbox's; copies. */
  stats(merchantSerialNumber?: string): SandboxStats {
    if (merchantSerialNumber === undefined) return structuredClone(this.#sandbox.stats);
    return structuredClone(this.#merchants.get(merchantSerialNumber)?.stats ?? emptyStats());
  }

  member(contactId: string, merchantSerialNumber?: string): MemberState | undefined {
    return this.#view(merchantSerialNumber)?.members.get(contactId);
  }

  /** Sorted by contactId; one merchant's, or the sandbox's. */
  members(includeDeleted: boolean, merchantSerialNumber?: string): MemberState[] {
    return this.#view(merchantSerialNumber)?.members.list(includeDeleted) ?? [];
  }

  /** Recorded events in arrival order, optionally of one contact, of one merchant or the sandbox's; copies. */
  events(contactId?: string, merchantSerialNumber?: string): RecordedEvent[] {
    const recorded = this.#view(merchantSerialNumber)?.recorded ?? [];
    return structuredClone(contactId === undefined ? recorded : recorded.filter((event) => event.contactId === contactId));
  }

  clear(): void {
    this.#sandbox = new Club();
    this.#merchants.clear();
  }

  #view(merchantSerialNumber: string | undefined): Club | undefined {
    return merchantSerialNumber === undefined ? this.#sandbox : this.#merchants.get(merchantSerialNumber);
  }

  #club(merchantSerialNumber: string): Club {
    let club = this.#merchants.get(merchantSerialNumber);
    if (!club) this.#merchants.set(merchantSerialNumber, (club = new Club()));
    return club;
  }
}

// Everything the sandbox remembers between requests, per merchant serial number (the header every event
// and token request carries), as the real API keeps each merchant's club apart: dedup memory (eventId →
// body digest), member state and the counters; and the recorded events in arrival order. Without a serial
// number, inspection shows every merchant's as one (what a sandbox serving one merchant always showed).
// `clear()` is POST /_sandbox/reset.
import type { LoyaltyEvent } from '../api/events.ts';
import type { Action } from '../base/actions.ts';
import { compareIds, type MemberState, MemberRegistry } from './member-registry.ts';
import { emptyStats, type SandboxStats, sumStats } from './sandbox-stats.ts';

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

/** One merchant's club and counters. */
export interface MerchantBook {
  readonly members: MemberRegistry;
  readonly stats: SandboxStats;
  readonly digests: Map<string, string>;
}

export class SandboxState {
  readonly #recordEvents: boolean;
  readonly #merchants = new Map<string, MerchantBook>();
  readonly #recorded: { merchantSerialNumber: string; event: RecordedEvent }[] = [];

  constructor(options: { recordEvents: boolean }) {
    this.#recordEvents = options.recordEvents;
  }

  get recordsEvents(): boolean {
    return this.#recordEvents;
  }

  /** The merchant's book, made at its first request ('' for requests without a serial number). */
  merchant(merchantSerialNumber: string): MerchantBook {
    let book = this.#merchants.get(merchantSerialNumber);
    if (!book) this.#merchants.set(merchantSerialNumber, (book = { members: new MemberRegistry(), stats: emptyStats(), digests: new Map() }));
    return book;
  }

  /** Serial numbers that sent anything, sorted. */
  merchantSerialNumbers(): string[] {
    return [...this.#merchants.keys()].filter((msn) => msn !== '').sort();
  }

  admission(merchantSerialNumber: string, eventId: string, digest: string): Admission {
    const known = this.#merchants.get(merchantSerialNumber)?.digests.get(eventId);
    if (known === undefined) return 'new';
    return known === digest ? 'duplicate' : 'conflict';
  }

  /** Remembers, applies and records an event that `admission()` called new. */
  commit(merchantSerialNumber: string, event: LoyaltyEvent, digest: string, receivedAt: string): void {
    const book = this.merchant(merchantSerialNumber);
    book.digests.set(event.eventId, digest);
    const { contactId } = event.payload;
    const outcome = book.members.apply(event);
    if (outcome.anomaly) book.stats.anomalies.push({ eventId: event.eventId, contactId, action: event.action, ...outcome.anomaly });
    book.stats.accepted += 1;
    book.stats.byAction[event.action] += 1;
    if (this.#recordEvents) {
      this.#recorded.push({ merchantSerialNumber, event: { eventId: event.eventId, action: event.action, contactId, timestamp: event.timestamp, receivedAt, payload: event.payload } });
    }
  }

  /** One merchant's counters, or every merchant's added up; copies. */
  stats(merchantSerialNumber?: string): SandboxStats {
    if (merchantSerialNumber !== undefined) return structuredClone(this.#merchants.get(merchantSerialNumber)?.stats ?? emptyStats());
    return sumStats([...this.#merchants.values()].map((book) => book.stats));
  }

  member(contactId: string, merchantSerialNumber?: string): MemberState | undefined {
    for (const book of this.#books(merchantSerialNumber)) {
      const member = book.members.get(contactId);
      if (member) return member;
    }
    return undefined;
  }

  /** Sorted by contactId; one merchant's, or every merchant's. */
  members(includeDeleted: boolean, merchantSerialNumber?: string): MemberState[] {
    const books = this.#books(merchantSerialNumber);
    if (books.length === 1) return books[0]!.members.list(includeDeleted);
    return books.flatMap((book) => book.members.list(includeDeleted)).sort((a, b) => compareIds(a.contactId, b.contactId));
  }

  /** Recorded events in arrival order, optionally of one contact and one merchant; copies. */
  events(contactId?: string, merchantSerialNumber?: string): RecordedEvent[] {
    const selected = this.#recorded.filter(
      (entry) => (contactId === undefined || entry.event.contactId === contactId) && (merchantSerialNumber === undefined || entry.merchantSerialNumber === merchantSerialNumber),
    );
    return structuredClone(selected.map((entry) => entry.event));
  }

  clear(): void {
    this.#merchants.clear();
    this.#recorded.length = 0;
  }

  #books(merchantSerialNumber: string | undefined): MerchantBook[] {
    if (merchantSerialNumber === undefined) return [...this.#merchants.values()];
    const book = this.#merchants.get(merchantSerialNumber);
    return book ? [book] : [];
  }
}

// One ordered pass over the snapshot and tonight's staged export, member by member: a merge join of
// cursors that are all sorted by contact_id, so memory holds one member at a time.
import type { ItemKind } from '../base/kinds.ts';
import type { StagedItem, StagedMember } from '../state/staging.ts';
import { compareKeys } from '../base/canonical.ts';
import type { MemberState } from '../state/member-state.ts';
import type { ExportedMember } from './plan-member.ts';

export interface MergeInputs {
  snapshot: Iterable<MemberState>;
  members: Iterable<StagedMember>;
  items: Record<ItemKind, Iterable<StagedItem>>;
  rejected: Iterable<string>;
  /** Contacts with events in doubt (see in-doubt.ts): planned even when neither snapshot nor export knows them. */
  inDoubt?: Iterable<string>;
  /** Contacts whose members row was rejected (a subset of `rejected`): members of the export all the same. */
  rejectedMemberRows?: Iterable<string>;
  /** Item kinds the export carries trustworthy information on; others keep the snapshot's sets. */
  trustedKinds: ReadonlySet<ItemKind>;
}

/** An item row whose contact is not in the members export. */
export interface OrphanItem {
  kind: ItemKind;
  contactId: string;
  itemId: string;
}

export interface MergedMember {
  contactId: string;
  old?: MemberState;
  next?: ExportedMember;
  /** The contact had a rejected row tonight: leave it untouched. */
  rejected: boolean;
  /** Its row in the members file was rejected (it may still have a valid one: a duplicate is rejected). */
  memberRowRejected: boolean;
  orphans: OrphanItem[];
}

class Cursor<T> {
  private readonly iterator: Iterator<T>;
  private readonly keyOf: (value: T) => string;
  head: T | undefined;
  constructor(source: Iterable<T>, keyOf: (value: T) => string) {
    this.iterator = source[Symbol.iterator]();
    this.keyOf = keyOf;
    this.advance();
  }
  get key(): string | undefined {
    return this.head === undefined ? undefined : this.keyOf(this.head);
  }
  advance(): void {
    const step = this.iterator.next();
    this.head = step.done ? undefined : step.value;
  }
  /** Takes every value whose key is `key` (the cursor is sorted, so they are consecutive). */
  takeAll(key: string): T[] {
    const taken: T[] = [];
    while (this.head !== undefined && this.keyOf(this.head) === key) {
      taken.push(this.head);
      this.advance();
    }
    return taken;
  }
  takeOne(key: string): T | undefined {
    if (this.head === undefined || this.keyOf(this.head) !== key) return undefined;
    const value = this.head;
    this.advance();
    return value;
  }
}

const ITEM_KINDS: readonly ItemKind[] = ['coupons', 'stampCards', 'bonusChecks'];

export function* mergeByContact(inputs: MergeInputs): Generator<MergedMember> {
  const snapshot = new Cursor(inputs.snapshot, (state) => state.contactId);
  const members = new Cursor(inputs.members, (member) => member.contactId);
  const rejected = new Cursor(inputs.rejected, (contactId) => contactId);
  const inDoubt = new Cursor(inputs.inDoubt ?? [], (contactId) => contactId);
  const rejectedMemberRows = new Cursor(inputs.rejectedMemberRows ?? [], (contactId) => contactId);
  const items = ITEM_KINDS.map((kind) => ({ kind, cursor: new Cursor(inputs.items[kind], (item) => item[0]) }));
  const cursors = [snapshot, members, rejected, inDoubt, rejectedMemberRows, ...items.map((entry) => entry.cursor)];

  for (;;) {
    let contactId: string | undefined;
    for (const cursor of cursors) {
      const key = cursor.key;
      if (key !== undefined && (contactId === undefined || compareKeys(key, contactId) < 0)) contactId = key;
    }
    if (contactId === undefined) return;

    const old = snapshot.takeOne(contactId);
    const member = members.takeOne(contactId);
    const isRejected = rejected.takeOne(contactId) !== undefined;
    inDoubt.takeOne(contactId);
    const memberRowRejected = rejectedMemberRows.takeOne(contactId) !== undefined;
    const rowsByKind = items.map(({ cursor }) => cursor.takeAll(contactId));
    if (!member) {
      const orphans = items.flatMap(({ kind }, index) => rowsByKind[index]!.map(([, itemId]) => ({ kind, contactId: contactId!, itemId })));
      yield { contactId, old, rejected: isRejected, memberRowRejected, orphans };
      continue;
    }
    const next: ExportedMember = { contactId, phoneNumber: member.phoneNumber, member: member.doc };
    for (let index = 0; index < items.length; index++) {
      const { kind } = items[index]!;
      if (!inputs.trustedKinds.has(kind)) continue;
      const rows = rowsByKind[index]!;
      if (kind === 'bonusChecks') next.bonusChecks = rows.map(([, id, doc]) => ({ id, doc }));
      else next[kind] = rows.map(([, , doc]) => doc);
    }
    yield { contactId, old, next, rejected: isRejected, memberRowRejected, orphans: [] };
  }
}

// The snapshot table ↔ MemberState. The scan reads hashes only (plus the small bonus-check set, which
// planning diffs by id), so a no-change night does not drag every document through memory.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { EMPTY_SET, type MemberState, type Part } from './member-state.ts';

interface SnapshotRow {
  contact_id: string;
  rev: number;
  deleted: number;
  phone_number: string;
  member_hash: string | null;
  member_doc?: string | null;
  coupons_hash: string;
  coupons_doc?: string;
  stamp_cards_hash: string;
  stamp_cards_doc?: string;
  bonus_checks_hash: string;
  bonus_checks_doc: string;
}

const SUMMARY_COLUMNS = 'contact_id, rev, deleted, phone_number, member_hash, coupons_hash, stamp_cards_hash, bonus_checks_hash, bonus_checks_doc';

function toState(row: SnapshotRow): MemberState {
  const member: Part | undefined = row.member_hash === null ? undefined : { hash: row.member_hash, text: row.member_doc ?? undefined };
  return {
    contactId: row.contact_id,
    rev: row.rev,
    deleted: row.deleted === 1,
    phoneNumber: row.phone_number,
    ...(member && { member }),
    coupons: { hash: row.coupons_hash, text: row.coupons_doc },
    stampCards: { hash: row.stamp_cards_hash, text: row.stamp_cards_doc },
    bonusChecks: { hash: row.bonus_checks_hash, text: row.bonus_checks_doc },
  };
}

export interface SnapshotStore {
  /** Every member (tombstones included) in contact_id order, hashes only. */
  scan(): Iterable<MemberState>;
  /** One member with all documents, or undefined. */
  load(contactId: string): MemberState | undefined;
  save(state: MemberState, runId: string, at: string): void;
}

export function snapshotStore(db: DatabaseSync): SnapshotStore {
  let loadStatement: StatementSync | undefined;
  let saveStatements: [StatementSync, StatementSync] | undefined;
  return {
    *scan() {
      const statement = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM snapshot ORDER BY contact_id`);
      for (const row of statement.iterate()) yield toState(row as unknown as SnapshotRow);
    },
    load(contactId) {
      loadStatement ??= db.prepare(
        `SELECT s.*, d.member_doc, d.coupons_doc, d.stamp_cards_doc FROM snapshot s JOIN snapshot_docs d USING (contact_id) WHERE s.contact_id = ?`,
      );
      const row = loadStatement.get(contactId) as SnapshotRow | undefined;
      return row && toState(row);
    },
    save(saved, runId, at) {
      // A departed member keeps only what later runs need: its id and commit count (event ids stay unique
      // if it returns). No phone number, no documents (data minimisation: README "Privacy").
      const state = saved.deleted ? tombstoneOf(saved) : saved;
      saveStatements ??= [
        db.prepare(`
          INSERT INTO snapshot (contact_id, rev, deleted, phone_number, member_hash, coupons_hash, stamp_cards_hash,
                                bonus_checks_hash, bonus_checks_doc, updated_at, updated_run)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (contact_id) DO UPDATE SET
            rev = excluded.rev, deleted = excluded.deleted, phone_number = excluded.phone_number,
            member_hash = excluded.member_hash, coupons_hash = excluded.coupons_hash, stamp_cards_hash = excluded.stamp_cards_hash,
            bonus_checks_hash = excluded.bonus_checks_hash, bonus_checks_doc = excluded.bonus_checks_doc,
            updated_at = excluded.updated_at, updated_run = excluded.updated_run`),
        db.prepare(`
          INSERT INTO snapshot_docs (contact_id, member_doc, coupons_doc, stamp_cards_doc) VALUES (?, ?, ?, ?)
          ON CONFLICT (contact_id) DO UPDATE SET
            member_doc = excluded.member_doc, coupons_doc = excluded.coupons_doc, stamp_cards_doc = excluded.stamp_cards_doc`),
      ];
      const [summary, docs] = saveStatements;
      summary.run(
        state.contactId,
        state.rev,
        state.deleted ? 1 : 0,
        state.phoneNumber,
        state.member?.hash ?? null,
        state.coupons.hash,
        state.stampCards.hash,
        state.bonusChecks.hash,
        requireText(state.bonusChecks),
        at,
        runId,
      );
      docs.run(state.contactId, state.member ? requireText(state.member) : null, requireText(state.coupons), requireText(state.stampCards));
    },
  };
}

function tombstoneOf(state: MemberState): MemberState {
  return { contactId: state.contactId, rev: state.rev, deleted: true, phoneNumber: '', coupons: EMPTY_SET, stampCards: EMPTY_SET, bonusChecks: EMPTY_SET };
}

function requireText(part: Part): string {
  if (part.text === undefined) throw new Error('cannot save a snapshot part whose text was not loaded');
  return part.text;
}

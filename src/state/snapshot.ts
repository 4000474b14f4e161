// The snapshot ↔ MemberState. Two tables: `snapshot`, what every run scans (hashes only, so a no-change
// night drags no document through memory), and `snapshot_docs`, each active member's documents in one
// compressed blob (doc-codec.ts), read for the few members whose sets changed, for commits and `explain`.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { buildDictionary, packDocuments, unpackDocuments, type MemberDocuments } from './doc-codec.ts';
import { inRange, where, type KeyRange } from './key-range.ts';
import { EMPTY_SET, type MemberState, type Part } from './member-state.ts';

interface SnapshotRow {
  contact_id: string;
  rev: number;
  deleted: number;
  phone_number: string;
  member_hash: string | null;
  coupons_hash: string;
  stamp_cards_hash: string;
  bonus_checks_hash: string;
}

const SUMMARY_COLUMNS = 'contact_id, rev, deleted, phone_number, member_hash, coupons_hash, stamp_cards_hash, bonus_checks_hash';

function toState(row: SnapshotRow, documents?: MemberDocuments): MemberState {
  const member: Part | undefined = row.member_hash === null ? undefined : { hash: row.member_hash, ...(documents?.member !== undefined && { text: documents.member }) };
  // A member without documents (a tombstone) holds empty sets.
  const set = (hash: string, text: string | undefined): Part => ({ hash, ...(documents && { text: text ?? EMPTY_SET.text }) });
  return {
    contactId: row.contact_id,
    rev: row.rev,
    deleted: row.deleted === 1,
    phoneNumber: row.phone_number,
    ...(member && { member }),
    coupons: set(row.coupons_hash, documents?.coupons),
    stampCards: set(row.stamp_cards_hash, documents?.stampCards),
    bonusChecks: set(row.bonus_checks_hash, documents?.bonusChecks),
  };
}

export interface SnapshotStore {
  /** Every member (tombstones included; within `range` when given) in contact_id order, hashes only. */
  scan(range?: KeyRange): Iterable<MemberState>;
  /** One member with all documents, or undefined. */
  load(contactId: string): MemberState | undefined;
  /**
   * Saves members' states (one commit batch). The first batch with enough documents builds the
   * compression dictionary; so does a batch that compresses much worse than its dictionary did when
   * built (the club's coupons and programmes have changed since).
   */
  saveAll(states: readonly MemberState[]): void;
}

/** A batch compressing this many times worse per member than its dictionary's first batch gets a new one. */
const STALE_DICTIONARY_FACTOR = 2;
/** Members a batch must have for its compression to tell that a dictionary went stale. */
const STALE_DICTIONARY_SAMPLE = 200;
/** Members saved before any dictionary existed that the first one may also learn from. */
const EARLIER_SAMPLE = 1_000;

export function snapshotStore(db: DatabaseSync): SnapshotStore {
  const cache = new Map<string, StatementSync>();
  const statement = (sql: string) => {
    let prepared = cache.get(sql);
    if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
    return prepared;
  };
  const dictionaries = new Map<number, Uint8Array | undefined>([[0, undefined]]);
  const dictionaryOf = (id: number): Uint8Array | undefined => {
    if (!dictionaries.has(id)) {
      const row = statement('SELECT bytes FROM document_dictionaries WHERE id = ?').get(id) as { bytes: Uint8Array } | undefined;
      if (!row) throw new Error(`compression dictionary ${id} is missing from the state file`);
      dictionaries.set(id, row.bytes);
    }
    return dictionaries.get(id);
  };
  // The dictionary new documents are compressed with, and the bytes per member it gave its first batch.
  let current: { id: number; memberBytes: number | null } | undefined;
  const currentDictionary = () => {
    if (current) return current;
    const row = statement('SELECT id, member_bytes AS memberBytes FROM document_dictionaries ORDER BY id DESC LIMIT 1').get() as { id: number; memberBytes: number | null } | undefined;
    return (current = row ?? { id: 0, memberBytes: null });
  };

  const writeBatch = (states: readonly MemberState[], dictionaryId: number) => {
    const dictionary = dictionaryOf(dictionaryId);
    let bytes = 0;
    let members = 0;
    for (const state of states) {
      // A departed member keeps only what later runs need: its id and commit count (event ids stay unique if it
      // returns). No phone number, no documents (data minimisation: README "Privacy").
      const saved = state.deleted ? tombstoneOf(state) : state;
      statement(`
        INSERT INTO snapshot (${SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (contact_id) DO UPDATE SET
          rev = excluded.rev, deleted = excluded.deleted, phone_number = excluded.phone_number, member_hash = excluded.member_hash,
          coupons_hash = excluded.coupons_hash, stamp_cards_hash = excluded.stamp_cards_hash, bonus_checks_hash = excluded.bonus_checks_hash`).run(
        saved.contactId,
        saved.rev,
        saved.deleted ? 1 : 0,
        saved.phoneNumber,
        saved.member?.hash ?? null,
        saved.coupons.hash,
        saved.stampCards.hash,
        saved.bonusChecks.hash,
      );
      if (saved.deleted) {
        statement('DELETE FROM snapshot_docs WHERE contact_id = ?').run(saved.contactId);
        continue;
      }
      const blob = packDocuments(documentsOf(saved), dictionary);
      bytes += blob.length;
      members++;
      statement(`
        INSERT INTO snapshot_docs (contact_id, dictionary, docs) VALUES (?, ?, ?)
        ON CONFLICT (contact_id) DO UPDATE SET dictionary = excluded.dictionary, docs = excluded.docs`).run(saved.contactId, dictionaryId, blob);
    }
    return members === 0 ? undefined : bytes / members;
  };

  const savedWithoutDictionary = (batch: readonly MemberState[]): MemberDocuments[] => {
    const inBatch = new Set(batch.map((state) => state.contactId));
    const rows = statement('SELECT contact_id AS contactId, docs FROM snapshot_docs WHERE dictionary = 0 LIMIT ?').all(EARLIER_SAMPLE) as { contactId: string; docs: Uint8Array }[];
    return rows.filter((row) => !inBatch.has(row.contactId)).map((row) => unpackDocuments(row.docs, undefined));
  };

  return {
    *scan(range) {
      const { conditions, params } = inRange(range);
      const scan = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM snapshot${where(conditions)} ORDER BY contact_id`);
      for (const row of scan.iterate(...params)) yield toState(row as unknown as SnapshotRow);
    },
    load(contactId) {
      const row = statement(`SELECT ${SUMMARY_COLUMNS.replaceAll(/\b(\w+)\b/g, 's.$1')}, d.dictionary, d.docs FROM snapshot s LEFT JOIN snapshot_docs d USING (contact_id) WHERE s.contact_id = ?`).get(contactId) as
        | (SnapshotRow & { dictionary: number | null; docs: Uint8Array | null })
        | undefined;
      if (!row) return undefined;
      const documents = row.docs === null ? { coupons: EMPTY_SET.text!, stampCards: EMPTY_SET.text!, bonusChecks: EMPTY_SET.text! } : unpackDocuments(row.docs, dictionaryOf(row.dictionary!));
      return toState(row, documents);
    },
    saveAll(states) {
      const { id, memberBytes } = currentDictionary();
      const sample = states.filter((state) => !state.deleted);
      const stale =
        id === 0 ||
        (memberBytes !== null && sample.length >= STALE_DICTIONARY_SAMPLE && estimateMemberBytes(sample, dictionaryOf(id)) > memberBytes * STALE_DICTIONARY_FACTOR);
      // A slow API commits a few members per batch, none of them enough for a dictionary alone: the first
      // dictionary also learns from the members saved without one.
      const dictionary = stale ? buildDictionary([...sample.map(documentsOf), ...(id === 0 ? savedWithoutDictionary(sample) : [])]) : undefined;
      if (!dictionary) {
        writeBatch(states, id);
        return;
      }
      const newId = Number(statement('INSERT INTO document_dictionaries (created_at, bytes) VALUES (?, ?)').run(new Date().toISOString(), dictionary).lastInsertRowid);
      dictionaries.set(newId, dictionary);
      // Rare (a club whose documents changed a lot): worth one pass over the blobs to drop what none uses.
      statement('DELETE FROM document_dictionaries WHERE id NOT IN (?, ?) AND NOT EXISTS (SELECT 1 FROM snapshot_docs WHERE dictionary = document_dictionaries.id)').run(id, newId);
      const perMember = writeBatch(states, newId) ?? null;
      statement('UPDATE document_dictionaries SET member_bytes = ? WHERE id = ?').run(perMember, newId);
      current = { id: newId, memberBytes: perMember };
    },
  };
}

/** Compressed bytes per member of a few members of the batch, with this dictionary. */
function estimateMemberBytes(states: readonly MemberState[], dictionary: Uint8Array | undefined): number {
  const step = Math.max(1, Math.floor(states.length / 20));
  let bytes = 0;
  let members = 0;
  for (let index = 0; index < states.length; index += step, members++) bytes += packDocuments(documentsOf(states[index]!), dictionary).length;
  return bytes / members;
}

function documentsOf(state: MemberState): MemberDocuments {
  return {
    ...(state.member && { member: requireText(state.member) }),
    coupons: requireText(state.coupons),
    stampCards: requireText(state.stampCards),
    bonusChecks: requireText(state.bonusChecks),
  };
}

function tombstoneOf(state: MemberState): MemberState {
  return { contactId: state.contactId, rev: state.rev, deleted: true, phoneNumber: '', coupons: EMPTY_SET, stampCards: EMPTY_SET, bonusChecks: EMPTY_SET };
}

function requireText(part: Part): string {
  if (part.text === undefined) throw new Error('cannot save a snapshot part whose text was not loaded');
  return part.text;
}

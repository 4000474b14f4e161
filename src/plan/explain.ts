// Why a member would get the events it gets: the differences between the snapshot and the export, in
// words. Pure; used by `loyalty-sync explain`.
import { maskPhoneNumber } from '../privacy/phone-numbers.ts';
import { setText } from '../base/canonical.ts';
import type { MemberState } from '../state/member-state.ts';
import type { ExportedMember } from './plan-member.ts';

type Doc = Record<string, unknown>;

/** Field-by-field differences of two documents, nested fields dotted; phone numbers masked. */
export function fieldChanges(before: Doc | undefined, after: Doc | undefined): string[] {
  const flat = (doc: Doc | undefined, prefix = ''): Map<string, unknown> =>
    new Map(
      Object.entries(doc ?? {}).flatMap(([key, value]) =>
        value && typeof value === 'object' && !Array.isArray(value) ? [...flat(value as Doc, `${prefix}${key}.`)] : [[`${prefix}${key}`, value] as const],
      ),
    );
  const old = flat(before);
  const next = flat(after);
  const show = (key: string, value: unknown) => (value === undefined ? '(none)' : /phoneNumber$/.test(key) ? maskPhoneNumber(String(value)) : JSON.stringify(value));
  return [...new Set([...old.keys(), ...next.keys()])]
    .filter((key) => JSON.stringify(old.get(key)) !== JSON.stringify(next.get(key)))
    .map((key) => `${key}: ${show(key, old.get(key))} → ${show(key, next.get(key))}`);
}

/** Differences of two sets of items keyed by `idField`: added, removed, changed (with fields). */
export function setChanges(before: readonly Doc[], after: readonly Doc[], idField: string): string[] {
  const old = new Map(before.map((item) => [String(item[idField]), item]));
  const next = new Map(after.map((item) => [String(item[idField]), item]));
  const lines: string[] = [];
  for (const [id, item] of next) {
    if (!old.has(id)) lines.push(`+ ${id} added`);
    else if (JSON.stringify(old.get(id)) !== JSON.stringify(item)) lines.push(`~ ${id} changed (${fieldChanges(old.get(id), item).join('; ')})`);
  }
  for (const id of old.keys()) if (!next.has(id)) lines.push(`- ${id} removed`);
  return lines;
}

export interface MemberDifferences {
  summary: string;
  member: string[];
  coupons: string[];
  stampCards: string[];
  bonusChecks: string[];
}

const parse = (text: string | undefined): Doc[] => (text ? (JSON.parse(text) as Doc[]) : []);

export function memberDifferences(old: MemberState | undefined, next: ExportedMember | undefined, rejected: boolean): MemberDifferences {
  const none = { member: [], coupons: [], stampCards: [], bonusChecks: [] };
  const known = old && !old.deleted ? old : undefined;
  if (rejected) return { summary: 'has rejected rows in this export: left untouched this run (see the rejects)', ...none };
  if (!next) {
    return { summary: known ? 'not in the members export: would be deleted (unless a guard refuses the run)' : 'neither in the export nor known as an active member', ...none };
  }
  const sets = (docs: readonly string[] | undefined, before: string | undefined, idField: string) =>
    docs === undefined ? ['(not in this export: kept as it is)'] : setChanges(parse(before), parse(setText(docs)), idField);
  return {
    summary: known ? 'known member' : old?.deleted ? 'deleted before, back in the export: registered again' : 'new member: not in the snapshot',
    member: fieldChanges(known?.member?.text ? (JSON.parse(known.member.text) as Doc) : undefined, JSON.parse(next.member) as Doc),
    coupons: sets(next.coupons, known?.coupons.text, 'couponId'),
    stampCards: sets(next.stampCards, known?.stampCards.text, 'stampCardId'),
    bonusChecks: sets(next.bonusChecks?.map((check) => check.doc), known?.bonusChecks.text, 'bonusCheckId'),
  };
}

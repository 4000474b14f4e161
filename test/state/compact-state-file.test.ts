// The compact state file (issue 17) on a generated club: members' documents compressed against a
// dictionary built from the club's own documents, which holds no personal data (no contact id, phone
// number or value only a member or two have); bodies gone once accepted and the pages they used given
// back; a history pruned to nothing shrinks the file. The sizes per member are `npm run bench`'s figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { generateExportPair } from '../../src/bench/generate-export.ts';
import { buildDictionary, packDocuments, unpackDocuments, type MemberDocuments } from '../../src/state/doc-codec.ts';
import { snapshotStore } from '../../src/state/snapshot.ts';
import { openStateStore } from '../../src/state/store.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const MEMBERS = 400;

function fileFacts(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const one = (sql: string) => Object.values(db.prepare(sql).get()!)[0] as number;
    return {
      pages: one('PRAGMA page_count'),
      free: one('PRAGMA freelist_count'),
      bodies: one('SELECT count(*) FROM outbox_bodies'),
      events: one('SELECT count(*) FROM outbox_events'),
      dictionaries: db.prepare('SELECT bytes FROM document_dictionaries').all().map((row) => Buffer.from(row.bytes as Uint8Array)),
    };
  } finally {
    db.close();
  }
}

/** Every string value in a night's CSV files that identifies a member: contact ids, phone numbers (as written and as sent). */
function identities(folder: string, store: ReturnType<typeof openStateStore>): string[] {
  const members = parse(readFileSync(join(folder, 'members.csv')), { columns: true }) as Record<string, string>[];
  const snapshot = snapshotStore(store.db);
  return members.flatMap((row) => [row.contact_id!, row.phone_number!, snapshot.load(row.contact_id!)?.phoneNumber ?? '']).filter((value) => value.length >= 7);
}

describe('the compact state file', () => {
  it("compresses a generated club's documents against a dictionary that holds no personal data, and gives back the pages bodies used", async () => {
    const out = tempDir();
    generateExportPair({ out, members: MEMBERS, seed: 5, changeRate: 0.1 });
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const night1 = await syncOnce({ source: join(out, 'night-1') }, dir, sandbox.url);
    expect(night1.report.status).toBe('succeeded');

    const afterNight1 = fileFacts(state);
    expect(afterNight1.bodies).toBe(0);
    expect(afterNight1.events).toBe(night1.report.events.accepted);
    // The bodies of the whole first night were written, sent and deleted: their pages went back.
    expect(afterNight1.free * 10).toBeLessThan(afterNight1.pages);
    expect(afterNight1.dictionaries).toHaveLength(1);
    const [dictionary] = afterNight1.dictionaries;

    const store = openStateStore(state, { readOnly: true });
    try {
      for (const value of identities(join(out, 'night-1'), store)) expect(dictionary!.includes(value), value).toBe(false);
      // What is shared by many members is in it: the club's campaign texts.
      expect(dictionary!.includes('Gjelder kaffe, te og kakao i alle våre butikker.')).toBe(true);
      // The documents read back as they were sent.
      const [member] = sandbox.members();
      const state1 = snapshotStore(store.db).load(member!.contactId)!;
      expect(JSON.parse(state1.member!.text!)).toEqual(member!.member);
      expect(JSON.parse(state1.coupons.text!)).toEqual(member!.coupons);
      expect(JSON.parse(state1.stampCards.text!)).toEqual(member!.stampCards);
    } finally {
      store.close();
    }

    // Night 2 keeping no history from before it: every event of night 1 goes, and the file gets smaller.
    const night2 = await syncOnce({ source: join(out, 'night-2'), 'history-days': '0' }, dir, sandbox.url);
    expect(night2.report.status).toBe('succeeded');
    const afterNight2 = fileFacts(state);
    expect(afterNight2.events).toBe(night2.report.events.accepted);
    expect(afterNight2.pages).toBeLessThan(afterNight1.pages);
    expect(afterNight2.free * 10).toBeLessThan(afterNight2.pages);
  });

  it('builds the dictionary of a club committed a few members at a time (a slow API) from the members saved before it', async () => {
    const out = tempDir();
    generateExportPair({ out, members: 200, seed: 6, changeRate: 0.1 });
    // One request at a time, 3 ms each: a commit batch (200 ms) holds a few members, far from enough documents for a dictionary.
    const sandbox = await sandboxForTest({ faults: { latencyMs: 3 } });
    const dir = tempDir();
    const night1 = await syncOnce({ source: join(out, 'night-1'), concurrency: '1' }, dir, sandbox.url);
    expect(night1.report.status).toBe('succeeded');
    const db = new DatabaseSync(join(dir, 'state.sqlite'), { readOnly: true });
    try {
      const dictionaries = db.prepare('SELECT id FROM document_dictionaries').all();
      expect(dictionaries).toHaveLength(1);
      const { withDictionary, members } = db.prepare('SELECT count(*) FILTER (WHERE dictionary <> 0) AS withDictionary, count(*) AS members FROM snapshot_docs').get() as { withDictionary: number; members: number };
      expect(withDictionary).toBeGreaterThan(members / 2);
    } finally {
      db.close();
    }
  });

  it('builds no dictionary from too few documents, and masks what fewer than 3 members share', () => {
    const documents = (n: number): MemberDocuments => ({
      member: JSON.stringify({ contactId: `M-${1000 + n}`, phoneNumber: `+47412${String(10000 + n)}`, tier: n % 2 ? 'gold' : 'silver' }),
      coupons: JSON.stringify([{ couponId: 'CP-KAFFE', title: 'Kaffe', code: `KAFFE-${n}` }]),
      stampCards: '[]',
      bonusChecks: n === 7 ? JSON.stringify([{ bonusCheckId: 'BC-RARE', amount: { currency: 'NOK', value: 5000 } }]) : '[]',
    });
    expect(buildDictionary([documents(1), documents(2)])).toBeUndefined();
    const sample = Array.from({ length: 600 }, (_, n) => documents(n));
    const dictionary = buildDictionary(sample)!;
    const text = dictionary.toString('utf8');
    expect(text).toContain('"title":"Kaffe"');
    expect(text).toContain('"tier":"gold"');
    expect(text).not.toMatch(/M-1\d{3}|\+47412\d{5}|KAFFE-\d|BC-RARE/);
    expect(text).toContain('"contactId":"x-0000"');
    for (const n of [0, 7, 599]) expect(unpackDocuments(packDocuments(documents(n), dictionary), dictionary)).toEqual(documents(n));
    const member: MemberDocuments = { coupons: '[]', stampCards: '[]', bonusChecks: '[]' };
    expect(unpackDocuments(packDocuments(member, undefined), undefined)).toEqual(member);
  });

  it('keeps the samples (60 members, too few for a dictionary) compressed all the same', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const store = openStateStore(join(dir, 'state.sqlite'), { readOnly: true });
    try {
      const { stored } = store.db.prepare('SELECT sum(length(docs)) AS stored FROM snapshot_docs').get() as { stored: number };
      const snapshot = snapshotStore(store.db);
      const json = [...snapshot.scan()]
        .map(({ contactId }) => snapshot.load(contactId)!)
        .reduce((sum, member) => sum + Buffer.byteLength([member.member?.text, member.coupons.text, member.stampCards.text, member.bonusChecks.text].join('')), 0);
      expect(fileFacts(join(dir, 'state.sqlite')).dictionaries).toEqual([]);
      expect(stored).toBeLessThan(json * 0.7);
    } finally {
      store.close();
    }
  });
});

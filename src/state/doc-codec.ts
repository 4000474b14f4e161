// A member's documents as the snapshot stores them: one compressed blob per member. Each document is a
// kilobyte or so of JSON, too little for a compressor to find much to share within it; what repeats is
// across members (the same coupon campaigns, stamp-card programmes, keys and formats). So the blob is
// raw deflate against a preset dictionary built from the club's own documents: ~1.2 KB of JSON becomes
// ~80 bytes (on the generated club; zstd with the same dictionary ~90, without one either ~600, because
// a kilobyte is mostly frame and tables). Deflate reads at most 32 KB of dictionary.
//
// The dictionary holds no personal data: identity values (contact id, phone number) and every value that
// fewer than MIN_SHARED members of the sample share (personal codes, ids, dates) are masked to their
// shape (`M-0001234` → `x-0000000`) before it is built. So a dictionary outlives every member it was
// built from, and erasing a member (departure, `forget`) needs no new one.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

export interface MemberDocuments {
  /** The member document; undefined for a member never registered (or deleted). */
  member?: string;
  coupons: string;
  stampCards: string;
  bonusChecks: string;
}

/** The dictionary's size: deflate's window. */
export const DICTIONARY_BYTES = 32 * 1024;
/** Documents (bytes) a dictionary is built from at least; a smaller club compresses without one. */
export const MIN_SAMPLE_BYTES = 48 * 1024;
/** A value enters the dictionary as it is only when at least this many members of the sample have it. */
const MIN_SHARED = 3;
const IDENTITY_KEYS = new Set(['contactId', 'phoneNumber']);

// JSON text never holds a raw line break (JSON.stringify escapes it): one separates the documents.
const SEPARATOR = '\n';

export function packDocuments(documents: MemberDocuments, dictionary: Uint8Array | undefined): Buffer {
  const text = [documents.member ?? '', documents.coupons, documents.stampCards, documents.bonusChecks].join(SEPARATOR);
  return deflateRawSync(text, { level: 6, ...(dictionary && { dictionary }) });
}

export function unpackDocuments(blob: Uint8Array, dictionary: Uint8Array | undefined): MemberDocuments {
  const [member, coupons, stampCards, bonusChecks] = inflateRawSync(blob, dictionary && { dictionary }).toString('utf8').split(SEPARATOR) as [string, string, string, string];
  return { ...(member !== '' && { member }), coupons, stampCards, bonusChecks };
}

/**
 * A dictionary from a sample of members' documents, or undefined when the sample is too small to be
 * worth one. Members are taken evenly across the sample; the last bytes weigh most in deflate (shortest
 * distances), and the dictionary is cut from the front.
 */
export function buildDictionary(sample: readonly MemberDocuments[]): Buffer | undefined {
  const texts = sample.map((documents) => [documents.member, documents.coupons, documents.stampCards, documents.bonusChecks].filter((text) => text !== undefined));
  const bytes = texts.reduce((sum, parts) => sum + parts.reduce((n, text) => n + Buffer.byteLength(text), 0), 0);
  if (bytes < MIN_SAMPLE_BYTES) return undefined;
  const shared = sharedValues(texts);
  const masked = (key: string, value: unknown) =>
    typeof value === 'string' && (IDENTITY_KEYS.has(key) || !shared.has(value)) ? value.replace(/\d/g, '0').replace(/\p{L}/gu, 'x') : value;
  // Half as much again as the dictionary holds, in members spread over the sample.
  const step = Math.max(1, Math.floor(bytes / (DICTIONARY_BYTES * 1.5)));
  const parts: string[] = [];
  let size = 0;
  for (let index = 0; index < texts.length && size < DICTIONARY_BYTES * 1.5; index += step) {
    const text = texts[index]!.map((json) => JSON.stringify(JSON.parse(json), masked)).join(SEPARATOR) + SEPARATOR;
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  const dictionary = Buffer.from(parts.join(''));
  return dictionary.subarray(Math.max(0, dictionary.length - DICTIONARY_BYTES));
}

/** String values that at least MIN_SHARED members have (identity values never count). */
function sharedValues(members: readonly string[][]): Set<string> {
  const counts = new Map<string, number>();
  for (const parts of members) {
    const seen = new Set<string>();
    const walk = (key: string, value: unknown): unknown => {
      if (typeof value === 'string' && !IDENTITY_KEYS.has(key)) seen.add(value);
      return value;
    };
    for (const json of parts) JSON.parse(json, walk);
    for (const value of seen) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, count]) => count >= MIN_SHARED).map(([value]) => value));
}

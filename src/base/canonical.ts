// Canonical forms and hashes. A part's canonical text is JSON.stringify of its documents (built in a
// fixed key order at ingest, sets sorted by item id); equal meaning ⇒ equal text ⇒ equal hash.
import { hash } from 'node:crypto';

/** 128 bits of sha256, base64url: collisions are not a practical concern at millions of members. */
export function hashText(text: string): string {
  return hash('sha256', text, 'base64url').slice(0, 22);
}

/** A set's canonical text from its item documents (already JSON, already in item-id order). */
export function setText(docs: readonly string[]): string {
  return `[${docs.join(',')}]`;
}

/**
 * Orders strings the way SQLite's BINARY collation orders UTF-8 text (by code point), so that a merge of
 * SQLite cursors and in-memory keys agrees. JS `<` compares UTF-16 units, which differs only when a
 * surrogate pair meets a character in U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

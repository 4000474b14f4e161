// Dedup compares request bodies by meaning, not by bytes: the same event re-sent with other whitespace
// or key order must count as the same body. Only a digest is kept per eventId, so dedup memory stays
// small in big benchmarks.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted recursively and no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const source = inner as Record<string, unknown>;
    // Null prototype: a "__proto__" key stays an ordinary key instead of setting the prototype.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(source).sort()) sorted[key] = source[key];
    return sorted;
  });
}

/** SHA-256 of the canonical JSON, base64url. */
export function bodyDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

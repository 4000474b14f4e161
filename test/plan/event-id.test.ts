import fc from 'fast-check';
import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { EVENT_ID_NAMESPACE, uuidV5 } from '../../src/plan/event-id.ts';

describe('uuidV5', () => {
  it('is RFC 9562 version 5, exactly as the uuid package computes it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        expect(uuidV5(name)).toBe(v5(name, EVENT_ID_NAMESPACE));
      }),
    );
  });

  it('gives the same ids for names too long for its name buffer, and is not disturbed by them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 2800, maxLength: 5000 }), fc.string({ unit: 'grapheme' }), (long, short) => {
        expect(uuidV5(long)).toBe(v5(long, EVENT_ID_NAMESPACE));
        expect(uuidV5(short)).toBe(v5(short, EVENT_ID_NAMESPACE));
      }),
      { numRuns: 30 },
    );
  });
});

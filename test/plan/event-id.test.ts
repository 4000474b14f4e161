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
});

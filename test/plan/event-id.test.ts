import fc from 'fast-check';
import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { EVENT_ID_NAMESPACE, eventIdOf, uuidV5, type Transition } from '../../src/plan/event-id.ts';

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

describe('eventIdOf', () => {
  const text = fc.string({ unit: 'grapheme' });
  const transition = fc.record(
    {
      contactId: text,
      action: fc.constantFrom('benefits.member.registered', 'benefits.coupons.synced', 'benefits.coupon.deleted'),
      itemId: text,
      rev: fc.nat(),
      hashBefore: text,
      hashAfter: text,
      timestamp: text,
      // Past the name buffer too (up to 3 bytes per UTF-16 unit), where the id takes the slow path.
      payload: fc.oneof(text, fc.string({ unit: 'grapheme', minLength: 2000, maxLength: 4000 })),
      epoch: text,
    },
    { requiredKeys: ['contactId', 'action', 'rev', 'hashBefore', 'hashAfter', 'timestamp', 'payload'] },
  ) as fc.Arbitrary<Transition>;

  it('is the UUID v5 of the fields joined by NUL (the epoch last, only when set), with the payload measured in UTF-8', () => {
    fc.assert(
      fc.property(transition, (t) => {
        const fields = [t.contactId, t.action, t.itemId ?? '', t.rev, t.hashBefore, t.hashAfter, t.timestamp, t.payload, ...(t.epoch ? [t.epoch] : [])];
        expect(eventIdOf(t)).toEqual({ eventId: `evt-${v5(fields.join('\u0000'), EVENT_ID_NAMESPACE)}`, payloadBytes: Buffer.byteLength(t.payload) });
      }),
      { numRuns: 300 },
    );
  });
});

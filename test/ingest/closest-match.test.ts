// "Did you mean": the nearest header by edits over Unicode characters, whatever their normal form or case.
import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../src/closest-match.ts';

describe('closest match', () => {
  it('finds a one-letter typo, a missing diacritic and another normal form as close', () => {
    expect(closestMatch('Niva', ['Kundenr', 'Mobil', 'Nivå', 'Poeng'])).toBe('Nivå');
    expect(closestMatch('Nivå', ['Niva\u030a', 'Nav'])).toBe('Niva\u030a');
    expect(closestMatch('phone_numbr', ['contact_id', 'phone_number'])).toBe('phone_number');
    expect(closestMatch('POENG', ['poeng'])).toBe('poeng');
  });

  it('suggests nothing when no header is near', () => {
    expect(closestMatch('phone_number', ['contact_id', 'mobile'])).toBeUndefined();
    expect(closestMatch('tier', [])).toBeUndefined();
  });
});

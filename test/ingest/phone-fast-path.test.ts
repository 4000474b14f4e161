// The fast path for Norwegian, Danish and Swedish mobile numbers answers exactly as libphonenumber does, on generated
// numbers in every shape exports write them (and many they should not), valid and invalid.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nordicNumber, normalisePhoneNumber, parsedPhoneNumber } from '../../src/ingest/phone.ts';

const COUNTRIES = ['NO', 'DK', 'SE', 'FI', 'IS', 'DE', 'US', 'GB'];

/** A prefix as exports write it, or as a typo makes it. */
const prefixArb = fc.constantFrom('', '', '+47', '+47 ', '0047', '0047 ', '+45', '+45 ', '0045 ', '+46 ', '0046', '+358 ', '+4', '47', '4747', '+ 47 ', '+4 7', '00 47', '+470', '(+47) ', '+47-', '0', '+', '00');
/** Digits grouped as people write them, with the odd wrong separator. */
const separatorArb = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('', ' ') },
  { weight: 1, arbitrary: fc.constantFrom('  ', '-', '.', '\u00a0', '\t', '/', 'x') },
);
const digitsArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }).map((digits) => [7, ...digits]) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: 12 }) },
);
const groupedArb = fc.tuple(digitsArb, fc.array(separatorArb, { minLength: 12, maxLength: 12 })).map(([digits, separators]) =>
  digits.map((digit, index) => `${index > 0 ? separators[index]! : ''}${digit}`).join(''),
);
const suffixArb = fc.oneof({ weight: 10, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', 'x', ' ext. 12', ' 41234567', ';') });
const numberArb = fc.tuple(prefixArb, groupedArb, suffixArb).map(([prefix, digits, suffix]) => `${prefix}${digits}${suffix}`);
const countryArb = fc.constantFrom(...COUNTRIES);

describe('the fast path for Norwegian, Danish and Swedish mobile numbers', () => {
  it('answers only when it is certain, and then exactly as libphonenumber does', () => {
    let answered = 0;
    fc.assert(
      fc.property(numberArb, countryArb, (text, country) => {
        const fast = nordicNumber(text, country);
        if (fast !== undefined) answered++;
        expect(normalisePhoneNumber(text, country)).toEqual(parsedPhoneNumber(text.trim(), country));
        if (fast !== undefined) expect(fast).toBe(parsedPhoneNumber(text, country));
      }),
      { numRuns: 30_000 },
    );
    // The comparison means something only if the fast path answered often.
    expect(answered).toBeGreaterThan(1000);
  });

  it('answers for every 8-digit Norwegian and Danish number in the shapes exports use', () => {
    const national = fc.tuple(fc.integer({ min: 2, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 7, maxLength: 7 })).map(([first, rest]) => `${first}${rest.join('')}`);
    const shape = fc.constantFrom(
      (n: string, code: string) => ({ text: n, code: undefined as string | undefined }),
      (n: string) => ({ text: `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`, code: undefined }),
      (n: string) => ({ text: `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6)}`, code: undefined }),
      (n: string, code: string) => ({ text: `+${code}${n}`, code }),
      (n: string, code: string) => ({ text: `+${code} ${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`, code }),
      (n: string, code: string) => ({ text: `00${code} ${n}`, code }),
    );
    fc.assert(
      fc.property(national, shape, fc.constantFrom('NO', 'DK'), fc.constantFrom('47', '45'), (digits, write, country, code) => {
        const { text, code: written } = write(digits, code);
        const expected = `+${written ?? (country === 'NO' ? '47' : '45')}${digits}`;
        expect(nordicNumber(text, country)).toBe(expected);
        expect(parsedPhoneNumber(text, country)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers for every Swedish mobile number: with its country code, and without it where Sweden is the default', () => {
    const mobile = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }).map((rest) => `7${rest.join('')}`);
    const abroad = [
      (n: string) => `+46${n}`,
      (n: string) => `+46 ${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
      (n: string) => `0046 ${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
      (n: string) => `0046${n}`,
    ];
    const atHome = [
      (n: string) => `0${n}`,
      (n: string) => `0${n.slice(0, 2)}-${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
      (n: string) => `0${n.slice(0, 2)}-${n.slice(2)}`,
      (n: string) => `0${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
    ];
    const shape = fc.oneof(
      fc.tuple(fc.constantFrom(...abroad), fc.constantFrom('NO', 'DK', 'SE')),
      fc.tuple(fc.constantFrom(...atHome), fc.constant('SE')),
    );
    fc.assert(
      fc.property(mobile, shape, (digits, [write, country]) => {
        const text = write(digits);
        expect(nordicNumber(text, country)).toBe(`+46${digits}`);
        expect(parsedPhoneNumber(text, country)).toBe(`+46${digits}`);
      }),
      { numRuns: 10_000 },
    );
  });

  it('leaves other countries, other lengths, Swedish numbers other than mobile ones, and Norwegian or Danish numbers starting with 0 or 1 to libphonenumber', () => {
    const leftAlone: [text: string, defaultCountry: string][] = [
      ['41234567', 'SE'],
      ['+46701234567', 'FI'],
      ['0701234567', 'NO'],
      ['08-123 456 78', 'SE'],
      ['070-123 45 678', 'SE'],
      ['+46 0701234567', 'NO'],
      ['+46 812345678', 'NO'],
      ['+4670123456', 'NO'],
      ['4741234567', 'NO'],
      ['01234567', 'NO'],
      ['+47 11234567', 'NO'],
      ['412-34-567', 'NO'],
    ];
    for (const [text, country] of leftAlone) expect(nordicNumber(text, country), `${text} (${country})`).toBeUndefined();
  });
});

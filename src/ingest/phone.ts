import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Invalid } from './values.ts';

/**
 * Any common way of writing a phone number ("412 34 567", "0047…", "+46 70…") → E.164. Strict: the whole
 * cell must be the number (`extract: false`), so trailing junk (`+47 987 65 437 x`) or a second number
 * is refused rather than quietly cut off, and so is an extension (a member's phone has none).
 */
export function normalisePhoneNumber(text: string, defaultCountry: string): string | Invalid {
  const parsed = parsePhoneNumberFromString(text.trim(), { defaultCountry: defaultCountry as CountryCode, extract: false });
  if (!parsed?.isValid() || parsed.ext !== undefined) return new Invalid(`a valid phone number (numbers without country code are read as ${defaultCountry})`);
  return parsed.number;
}

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

/**
 * Free text we do not control (an API's problem detail, an error message) may hold phone numbers: any
 * E.164-looking number in it ("+4741234567", "+47 412 34 567") is masked with maskPhoneNumber.
 */
export function maskPhoneNumbersIn(text: string): string {
  return text.replace(E164_LIKE, (number) => maskPhoneNumber(number));
}

// A "+", a digit (perhaps in brackets), then 6–14 more digits, each after at most two of the separators
// people type in numbers: "+4741234567", "+47 412 34 567", "+(47) 412-34-567", "+44 (0)20 7946 0018".
const E164_LIKE = /\+\(?\d(?:[\s\-().]{0,2}\d){6,14}/g;

/**
 * Phone numbers never reach a log line or a report in full: keep the country calling code guess
 * (first 3 characters) and the last two digits, e.g. `+47******67`.
 */
export function maskPhoneNumber(text: string): string {
  const compact = text.replace(/[\s\-().]/g, '');
  if (compact.length <= 4) return '*'.repeat(compact.length);
  return `${compact.slice(0, 3)}${'*'.repeat(compact.length - 5)}${compact.slice(-2)}`;
}

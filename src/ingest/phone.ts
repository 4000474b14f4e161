import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Invalid } from './values.ts';

/** Any common way of writing a phone number ("412 34 567", "0047…", "+46 70…") → E.164. */
export function normalisePhoneNumber(text: string, defaultCountry: string): string | Invalid {
  const parsed = parsePhoneNumberFromString(text.trim(), { defaultCountry: defaultCountry as CountryCode });
  if (!parsed?.isValid()) return new Invalid(`a valid phone number (numbers without country code are read as ${defaultCountry})`);
  return parsed.number;
}

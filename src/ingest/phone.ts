import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { Invalid } from './values.ts';

/**
 * Any common way of writing a phone number ("412 34 567", "0047…", "+46 70…") → E.164. Strict: the whole
 * cell must be the number (`extract: false`), so trailing junk (`+47 987 65 437 x`) or a second number
 * is refused rather than quietly cut off, and so is an extension (a member's phone has none).
 */
export function normalisePhoneNumber(text: string, defaultCountry: string): string | Invalid {
  const trimmed = text.trim();
  return nordicNumber(trimmed, defaultCountry) ?? parsedPhoneNumber(trimmed, defaultCountry);
}

/** libphonenumber's answer: the reference the fast path below is tested against. */
export function parsedPhoneNumber(text: string, defaultCountry: string): string | Invalid {
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: defaultCountry as CountryCode, extract: false });
  if (!parsed?.isValid() || parsed.ext !== undefined) return new Invalid(`a valid phone number (numbers without country code are read as ${defaultCountry})`);
  return parsed.number;
}

/**
 * Norway (+47, with Svalbard) and Denmark (+45) have 8-digit national numbers without a trunk prefix, and
 * every 8-digit number starting with 2–9 is valid in both (libphonenumber's metadata: NO
 * `(?:0|[2-9]\d{3})\d{4}`, SJ `(?:[489]\d|79)\d{6}`, DK `[2-9]\d{7}`). Both dial abroad with `00`.
 */
const EIGHT_DIGIT_PLANS: Readonly<Record<string, string>> = { NO: '47', DK: '45' };

/** `+47`/`0047`/`+45`/`0045` or nothing, then 8 digits starting with 2–9, single spaces allowed between digits. */
const EIGHT_DIGIT_NUMBER = /^(?:(?:\+|00)(47|45) ?)?([2-9](?: ?\d){7})$/;

/**
 * Swedish mobile numbers (9 digits from 7). Every 9-digit Swedish number starting with 1–9 is valid (SE
 * `[1-9]\d{8}`). Abroad: `+46` or `0046`, then the number (no trunk `0` may follow the code here). At
 * home, where Sweden is the default country: the trunk `0`, then the number, as Swedes write it
 * (`070-123 45 67`, `070 123 45 67`, `0701234567`).
 */
const SWEDISH_MOBILE_ABROAD = /^(?:\+|00)46 ?(7(?: ?\d){8})$/;
const SWEDISH_MOBILE_AT_HOME = /^0(7\d)[- ]?(\d(?: ?\d){6})$/;

/**
 * The usual shapes of a Norwegian or Danish number, and of a Swedish mobile number, read without
 * libphonenumber (a fifth of the members file's reading time): only numbers that are certainly valid,
 * and only where the default country is Norway, Denmark or Sweden (all three dial abroad with `00`; in
 * the first two 8 bare digits are a national number). Anything else, valid or not, is undefined and left
 * to libphonenumber, so every reject stays libphonenumber's (test/ingest/phone-fast-path.test.ts
 * compares both on generated numbers).
 */
export function nordicNumber(text: string, defaultCountry: string): string | undefined {
  const home = EIGHT_DIGIT_PLANS[defaultCountry];
  if (home !== undefined) {
    const eightDigits = EIGHT_DIGIT_NUMBER.exec(text);
    if (eightDigits) {
      const digits = eightDigits[2]!;
      return `+${eightDigits[1] ?? home}${digits.length === 8 ? digits : digits.replaceAll(' ', '')}`;
    }
  } else if (defaultCountry === 'SE') {
    const atHome = SWEDISH_MOBILE_AT_HOME.exec(text);
    if (atHome) return `+46${atHome[1]}${atHome[2]!.replaceAll(' ', '')}`;
  } else {
    return undefined;
  }
  const abroad = SWEDISH_MOBILE_ABROAD.exec(text);
  return abroad ? `+46${abroad[1]!.replaceAll(' ', '')}` : undefined;
}

// What counts as a phone number in text we output, whatever column or message it comes from, and how it
// is masked. Part of the shared base (src/privacy/): no imports from the pipeline's stages.
//
// Masked: anything that looks like a number a member could be called on —
// - E.164: a "+", then 7–15 digits, with the separators people type ("+4798765433", "+47 987 65 433",
//   "+(47) 987-65-433");
// - the international prefix: "00", a country code, 7–14 more digits ("004798765433", "0047 987 65 433");
// - Norwegian mobiles (and the Danish 4x/9x series): 8 digits starting with 4 or 9, as typed
//   ("98765433", "987 65 433", "98 76 54 33", "987-65-433");
// - Danish numbers in their usual pairs, any 8 digits grouped like a phone number and starting 2–9
//   ("20 12 34 56", "201 23 456"); written without spaces they cannot be told from a date (20261124),
//   an amount or a count, so they are masked only with +45/0045;
// - Swedish mobiles 07[02369] and Finnish mobiles 04x/050 with the trunk 0, 9–10 digits
//   ("070-123 45 67", "0401234567", "050 123 4567").
// Not masked: a run of digits that is part of a longer token — glued to letters, digits or "_", after
// ".", "-", "/", "\" or "@", or followed by "-", ".", ",", "/" or ":" and more of the token — so dates
// (2026-11-24, 20261124T…), times, amounts (98765433,50), UUIDs and event ids, hashes, run ids and file
// names stay readable. Numbers the job counts are never passed through this (see redact.ts).

const E164 = String.raw`\+\(?\d(?:[\s\-().]{0,2}\d){6,14}`;
const INTERNATIONAL = String.raw`00[1-9](?:[ \u00a0\-]?\d){6,13}`;
const SWEDISH_OR_FINNISH_MOBILE = String.raw`0(?:7[02369]|4\d|50)(?:[ \u00a0\-]?\d){6,7}`;
const GROUPED_EIGHT_DIGITS = String.raw`[2-9]\d{2}[ \u00a0\-]\d{2}[ \u00a0\-]\d{3}|[2-9]\d(?:[ \u00a0\-]\d{2}){3}`;
const NORWEGIAN_MOBILE = String.raw`[49]\d{7}`;
const NOT_INSIDE_A_TOKEN_BEFORE = String.raw`(?<![\p{L}\p{N}_.\-/\\@])`;
const NOT_INSIDE_A_TOKEN_AFTER = String.raw`(?![\p{L}\p{N}_@]|[.,\-/:][\p{L}\p{N}])`;

const PHONE_LIKE = new RegExp(
  `${E164}|${NOT_INSIDE_A_TOKEN_BEFORE}(?:${INTERNATIONAL}|${SWEDISH_OR_FINNISH_MOBILE}|${GROUPED_EIGHT_DIGITS}|${NORWEGIAN_MOBILE})${NOT_INSIDE_A_TOKEN_AFTER}`,
  'gu',
);

/** Every phone-number-looking value in `text` masked with maskPhoneNumber; everything else as it was. */
export function maskPhoneNumbersIn(text: string): string {
  // Most text the job outputs has no digit at all: it is returned without a regex pass.
  return /\d/.test(text) ? text.replace(PHONE_LIKE, (number) => maskPhoneNumber(number)) : text;
}

/**
 * Phone numbers never reach a log line or a report in full: keep the country calling code as written
 * (`+47`, `0047`) and the last two digits, e.g. `+47******67`, `0047******67`, `******33`. A value that
 * is not a number at all (a bad phone_number cell) keeps its first three characters instead.
 */
export function maskPhoneNumber(text: string): string {
  const compact = text.replace(/[\s\-().]/g, '');
  if (compact.length <= 4) return '*'.repeat(compact.length);
  // At least one character is always masked, however short the value.
  const kept = Math.min(compact.startsWith('00') ? 4 : /^\d/.test(compact) ? 0 : 3, compact.length - 3);
  return `${compact.slice(0, kept)}${'*'.repeat(compact.length - kept - 2)}${compact.slice(-2)}`;
}

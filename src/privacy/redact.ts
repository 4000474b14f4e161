// The one filter every output goes through on its way out of the process: log lines, report files,
// rejects.csv, notifications, state rows with text from outside, the CLI's error line. Known secrets are
// removed by value (secret-values.ts) and phone numbers masked (phone-numbers.ts), in free text and in
// single values (a contact id that is a phone number is personal data too).
import { maskPhoneNumbersIn } from './phone-numbers.ts';
import { removeSecrets } from './secret-values.ts';

/** Secrets first: a secret with digits in it is removed whole before the phone mask could cut it up. */
export function redactText(text: string): string {
  return maskPhoneNumbersIn(removeSecrets(text));
}

/**
 * A copy of a JSON-like value (a report, a failure) with every string in it redacted. Numbers are left
 * alone: they are counts, sizes and times the job computed, never text from outside, and masking one
 * that happens to have 8 digits would corrupt it. Object keys are the job's own names.
 */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactStrings(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item)])) as T;
  }
  return value;
}

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** A JSON log line (pino's): every string in it redacted, as in redactStrings; the line stays valid JSON. */
export function redactJsonLine(line: string): string {
  return line.replace(JSON_STRING, (literal) => {
    const text = literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
    const redacted = redactText(text);
    return redacted === text ? literal : JSON.stringify(redacted);
  });
}

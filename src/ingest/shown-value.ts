// A value from the merchant's file as a message shows it: one line, printable, bounded. Control bytes
// (NUL, ESC, …) and bytes that were not valid UTF-8 appear as `\xNN`, never raw.
import type { Reject } from '../base/export-shapes.ts';
import { showMarkedBytes } from './utf8-bytes.ts';

const SHOWN_MAX = 60;
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f]/g;

export function shownValue(text: string, max = SHOWN_MAX): string {
  const clean = showMarkedBytes(text.trim()).replace(UNPRINTABLE, (char) => `\\x${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A reject as one line for a person: `file:line column: reason, got "value"`. */
export function rejectLine(reject: Reject): string {
  return `${reject.file}:${reject.line} ${reject.column || '(row)'}: ${reject.reason}${reject.value ? `, got "${reject.value}"` : ''}`;
}

// UTF-8 at the byte level, for files that are not entirely valid UTF-8. Node checks whole chunks natively
// (`isAscii`, `isUtf8`); only a chunk that fails is walked here byte by byte, to tell a UTF-8 file with a
// few bad bytes (a Windows-1252 `–` pasted into it) from a Windows-1252 file, and to mark the bad bytes so
// that the row holding one can be rejected with that byte's value.
import { Transform, type TransformCallback } from 'node:stream';
import { isAscii, isUtf8 } from 'node:buffer';

/**
 * A byte that is not part of valid UTF-8 becomes the private-use character U+F700 + byte (U+F780–U+F7FF:
 * such bytes are 0x80–0xFF), so that it survives decoding and still says which byte it was.
 */
const MARK_BASE = 0xf700;
export const INVALID_BYTE_MARK = /[\uF780-\uF7FF]/;
const INVALID_BYTE_MARKS = /[\uF780-\uF7FF]/g;

/** The byte a mark stands for, as `0x96`. */
export function markedByte(text: string): string | undefined {
  const found = INVALID_BYTE_MARK.exec(text);
  return found ? `0x${(found[0].charCodeAt(0) - MARK_BASE).toString(16).toUpperCase().padStart(2, '0')}` : undefined;
}

/** `text` with each mark shown as the byte it stands for (`\x96`), for messages. */
export function showMarkedBytes(text: string): string {
  return text.replace(INVALID_BYTE_MARKS, (mark) => `\\x${(mark.charCodeAt(0) - MARK_BASE).toString(16).toUpperCase()}`);
}

export interface Utf8Census {
  /** At least one valid multi-byte sequence. */
  multiByte: boolean;
  /** At least one byte that is not part of valid UTF-8. */
  invalid: boolean;
}

/**
 * Length of the sequence starting at `data[at]` if it is valid UTF-8 (1–4), 0 if it is not, -1 if it
 * may be valid but `data` ends before it does.
 */
function sequenceLength(data: Uint8Array, at: number): number {
  const lead = data[at]!;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0; // overlong
    if (lead === 0xed) high = 0x9f; // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90; // overlong
    if (lead === 0xf4) high = 0x8f; // above U+10FFFF
  } else return 0;
  for (let i = 1; i < length; i++) {
    if (at + i >= data.length) return -1;
    const byte = data[at + i]!;
    if (byte < low || byte > high) return 0;
    low = 0x80;
    high = 0xbf;
  }
  return length;
}

/**
 * Walks `data` (the caller decides whether its end is the file's end) and calls `onInvalid` per bad
 * byte. Returns how many bytes at the end form an unfinished sequence, to be carried into the next chunk.
 */
function walk(data: Uint8Array, final: boolean, census: Utf8Census, onInvalid?: (at: number) => void): number {
  for (let at = 0; at < data.length; ) {
    if (data[at]! < 0x80) {
      at++;
      continue;
    }
    const length = sequenceLength(data, at);
    if (length === -1 && !final) return data.length - at;
    if (length > 1) {
      census.multiByte = true;
      at += length;
    } else {
      census.invalid = true;
      onInvalid?.(at);
      at++;
    }
  }
  return 0;
}

/** Counts UTF-8 facts over a file's chunks, in order; `finish` once the file has ended. */
export function utf8Census(): { census: Utf8Census; add(chunk: Buffer): void; finish(): void } {
  const census: Utf8Census = { multiByte: false, invalid: false };
  let carry: Buffer | undefined;
  return {
    census,
    add(chunk) {
      // Once both are known, nothing later can change the verdict.
      if (census.multiByte && census.invalid) return;
      const data = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      if (isAscii(data)) return;
      const cut = completeLength(data);
      if (isUtf8(data.subarray(0, cut))) {
        census.multiByte = true;
        if (cut < data.length) carry = Buffer.from(data.subarray(cut));
        return;
      }
      const unfinished = walk(data, false, census);
      if (unfinished > 0) carry = Buffer.from(data.subarray(data.length - unfinished));
    },
    finish() {
      if (carry) walk(carry, true, census);
      carry = undefined;
    },
  };
}

/** Length of the prefix of `data` that does not end inside a multi-byte sequence. */
function completeLength(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? data.length - back : data.length;
  }
  return data.length;
}

/**
 * Passes UTF-8 bytes through, replacing each byte that is not part of valid UTF-8 with the UTF-8 bytes
 * of its mark (U+F700 + byte). Valid chunks pass untouched.
 */
export class InvalidUtf8Marker extends Transform {
  private carry: Buffer | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const cut = completeLength(data);
    if (isUtf8(data.subarray(0, cut))) {
      if (cut < data.length) this.carry = Buffer.from(data.subarray(cut));
      done(null, data.subarray(0, cut));
      return;
    }
    const { marked, unfinished } = markInvalid(data, false);
    if (unfinished > 0) this.carry = Buffer.from(data.subarray(data.length - unfinished));
    done(null, marked);
  }

  override _flush(done: TransformCallback): void {
    if (this.carry) done(null, markInvalid(this.carry, true).marked);
    else done();
  }
}

function markInvalid(data: Buffer, final: boolean): { marked: Buffer; unfinished: number } {
  const bad: number[] = [];
  const unfinished = walk(data, final, { multiByte: false, invalid: false }, (at) => bad.push(at));
  const end = data.length - unfinished;
  // Each bad byte (1) becomes a 3-byte mark.
  const marked = Buffer.allocUnsafe(end + bad.length * 2);
  let from = 0;
  let to = 0;
  for (const at of bad) {
    to += data.copy(marked, to, from, at);
    const mark = MARK_BASE + data[at]!;
    marked[to++] = 0xef;
    marked[to++] = 0x80 | ((mark >> 6) & 0x3f);
    marked[to++] = 0x80 | (mark & 0x3f);
    from = at + 1;
  }
  data.copy(marked, to, from, end);
  return { marked, unfinished };
}

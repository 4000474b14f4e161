// A kind's staged rows as a plain text file, for an export that arrives in contact_id order (a database
// export usually does). Appending a line costs a fraction of a keyed SQLite insert, and reading the rows
// back in order is one sequential read. One line per row, fields separated by tabs:
//   members: contact_id, phone_number, doc, file, line
//   items:   contact_id, item_id, doc, file, line
// The writer takes a row only while that shape holds: contacts in order (a contact's items in any order:
// they are put in item_id order when the contact ends), and no tab or line break in a key. Documents are
// JSON text, which has neither (JSON.stringify escapes every control character), so they are not scanned.
// Otherwise it answers `unsorted`, and staging-writer.ts moves to the keyed table.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { compareKeys } from '../base/canonical.ts';
import type { KeyRange } from './key-range.ts';

/** Where a contact's rows start in the file, about every MARK_ROWS rows: a key range is read from the nearest one. */
export interface SortedMark {
  contactId: string;
  offset: number;
  /** Rows before it (for members: its position among the members). */
  row: number;
}

export interface SortedFile {
  rows: number;
  marks: SortedMark[];
}

/** Row taken; a duplicate key (not taken: the first row stays); or the file cannot take it. */
export type SortedAdd = 'added' | 'unsorted' | { earlierLine: number };

const MARK_ROWS = 1024;
/** A contact with more items than this is held as the keyed table holds it: not in memory. */
const MAX_GROUP_ROWS = 4096;

const hasBreak = (text: string) => text.includes('\t') || text.includes('\n');

export class SortedRowsWriter {
  private readonly out: RowsOut;
  private readonly isMembers: boolean;
  private rows = 0;
  private rowsSinceMark = 0;
  private readonly marks: SortedMark[] = [];
  private contact: string | undefined;
  /** The open contact's items (items kinds), and each item's line in the export (to report duplicates). */
  private group: { itemId: string; doc: string; file: number; line: number }[] = [];
  private readonly groupLines = new Map<string, number>();
  /** Members: the open contact's line in the export. */
  private memberLine = 0;

  constructor(path: string, isMembers: boolean) {
    this.out = new RowsOut(path);
    this.isMembers = isMembers;
  }

  add(contactId: string, itemId: string | undefined, file: number, line: number, phoneNumber: string | undefined, doc: string): SortedAdd {
    if (hasBreak(contactId) || (itemId !== undefined && hasBreak(itemId)) || (phoneNumber !== undefined && hasBreak(phoneNumber))) return 'unsorted';
    if (contactId !== this.contact) {
      if (this.contact !== undefined && compareKeys(contactId, this.contact) < 0) return 'unsorted';
      this.endContact();
      if (this.rowsSinceMark >= MARK_ROWS) this.mark(contactId);
      this.contact = contactId;
      if (this.isMembers) {
        this.memberLine = line;
        this.writeRow(contactId, phoneNumber!, doc, file, line);
        return 'added';
      }
    } else if (this.isMembers) {
      return { earlierLine: this.memberLine };
    } else {
      const earlierLine = this.groupLines.get(itemId!);
      if (earlierLine !== undefined) return { earlierLine };
      if (this.group.length >= MAX_GROUP_ROWS) return 'unsorted';
    }
    this.group.push({ itemId: itemId!, doc, file, line });
    this.groupLines.set(itemId!, line);
    return 'added';
  }

  /** Writes what is held and closes the file; what the reader needs to find its way. */
  finish(): SortedFile {
    try {
      this.endContact();
    } finally {
      this.out.close();
    }
    return { rows: this.rows, marks: this.marks };
  }

  private endContact(): void {
    const { group } = this;
    if (group.length === 0) return;
    if (!inOrder(group)) group.sort((a, b) => compareKeys(a.itemId, b.itemId));
    for (const item of group) this.writeRow(this.contact!, item.itemId, item.doc, item.file, item.line);
    this.group = [];
    this.groupLines.clear();
  }

  private writeRow(contactId: string, second: string, doc: string, file: number, line: number): void {
    const { out } = this;
    out.field(contactId, TAB);
    out.field(second, TAB);
    out.field(doc, TAB);
    out.integer(file, TAB);
    out.integer(line, NEWLINE);
    this.rows++;
    this.rowsSinceMark++;
  }

  private mark(contactId: string): void {
    this.marks.push({ contactId, offset: this.out.offset(), row: this.rows });
    this.rowsSinceMark = 0;
  }
}

const TAB = 9;
const NEWLINE = 10;
const OUT_BYTES = 256 * 1024;
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * Fields written straight into a buffer that goes to the file when full. Writing each field as it comes
 * is five times cheaper than building lines as strings and writing those (measured: the strings are
 * flattened and encoded again).
 */
class RowsOut {
  private readonly fd: number;
  private buffer = Buffer.allocUnsafe(OUT_BYTES);
  private at = 0;
  private written = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  field(text: string, end: number): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    const room = text.length * 3 + 1;
    if (this.at + room > this.buffer.length) {
      this.flush();
      if (room > this.buffer.length) this.buffer = Buffer.allocUnsafe(room);
    }
    this.at += this.buffer.write(text, this.at);
    this.buffer[this.at++] = end;
  }

  /** A whole number ≥ 0 in decimal, digit by digit: no string made for it (two per row). */
  integer(value: number, end: number): void {
    if (this.at + MAX_SAFE_DIGITS + 1 > this.buffer.length) this.flush();
    const { buffer } = this;
    let digits = 1;
    for (let power = 10; power <= value; power *= 10) digits++;
    let at = this.at + digits;
    buffer[at] = end;
    this.at = at + 1;
    let rest = value;
    do {
      buffer[--at] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** Where the next byte goes in the file. */
  offset(): number {
    return this.written + this.at;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    let from = 0;
    while (from < this.at) from += writeSync(this.fd, this.buffer, from, this.at - from);
    this.written += this.at;
    this.at = 0;
  }
}

function inOrder(group: readonly { itemId: string }[]): boolean {
  for (let i = 1; i < group.length; i++) if (compareKeys(group[i - 1]!.itemId, group[i]!.itemId) > 0) return false;
  return true;
}

/** Small: a field cut out of a chunk is a slice of it, and keeps the whole chunk alive while it lives. */
const READ_BYTES = 16 * 1024;

/**
 * The rows from byte `offset` on, each as its first `fields` fields (3: the key and the document), within
 * `range` (rows before its start are skipped: `offset` is a mark at or before it). Reads through `fd`
 * at explicit positions, so several readers can share it. Fields are cut out of each decoded chunk with
 * indexOf: twice as fast as splitting it into lines and the lines into fields.
 */
export function* readSortedRows(fd: number, offset: number, fields: 3 | 5, range: KeyRange = {}): Generator<string[]> {
  let buffer = Buffer.allocUnsafe(READ_BYTES);
  let position = offset;
  let previous: string | undefined;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    if (read === 0) return;
    const end = buffer.lastIndexOf(NEWLINE, read - 1);
    if (end === -1) {
      // A line longer than the buffer (a long document): read it again with room for it.
      buffer = Buffer.allocUnsafe(buffer.length * 2);
      continue;
    }
    position += end + 1;
    const text = buffer.toString('utf8', 0, end + 1);
    for (let at = 0; at < text.length; ) {
      const lineEnd = text.indexOf('\n', at);
      const row: string[] = [];
      for (let field = 0; field < fields; field++) {
        const tab = field === 4 ? lineEnd : text.indexOf('\t', at);
        row.push(text.slice(at, tab));
        at = tab + 1;
      }
      at = lineEnd + 1;
      const contactId = row[0]!;
      if (contactId !== previous) {
        if (range.from !== undefined && compareKeys(contactId, range.from) < 0) continue;
        if (range.before !== undefined && compareKeys(contactId, range.before) >= 0) return;
        previous = contactId;
      }
      yield row;
    }
  }
}

/** The last of `marks` (in file order) before the first that `isPast` says is past what is looked for. */
function lastMarkBefore(marks: readonly SortedMark[], isPast: (mark: SortedMark) => boolean): SortedMark | undefined {
  let found: SortedMark | undefined;
  for (const mark of marks) {
    if (isPast(mark)) break;
    found = mark;
  }
  return found;
}

/** The mark to start reading `range` from: the last one at or before its start. */
export function startOffset(marks: readonly SortedMark[], range: KeyRange = {}): number {
  const { from } = range;
  if (from === undefined) return 0;
  return lastMarkBefore(marks, (mark) => compareKeys(mark.contactId, from) > 0)?.offset ?? 0;
}

/** The contact id of row number `row` (counted from 0) of the file behind `fd`, read from the nearest mark. */
export function sortedKeyAt(fd: number, marks: readonly SortedMark[], row: number): string | undefined {
  const mark = lastMarkBefore(marks, (candidate) => candidate.row > row);
  let at = mark?.row ?? 0;
  for (const [contactId] of readSortedRows(fd, mark?.offset ?? 0, 3)) if (at++ === row) return contactId;
  return undefined;
}

/** Every row of the file at `path`, all five fields. */
export function* readAllSortedRows(path: string): Generator<string[]> {
  const fd = openSync(path, 'r');
  try {
    yield* readSortedRows(fd, 0, 5);
  } finally {
    closeSync(fd);
  }
}

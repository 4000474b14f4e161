// A buffered, synchronous CSV file writer: rows go out in ~1 MB writes, so a million-member export is
// streamed to disk with flat memory. Quotes a field only when it must (delimiter, quote, line break),
// the way spreadsheets and most loyalty systems write CSV.
import { closeSync, openSync, writeSync } from 'node:fs';

export interface CsvDialect {
  delimiter: ',' | ';';
  lineEnd: '\n' | '\r\n';
  /** A UTF-8 byte order mark first, as Excel writes "CSV UTF-8". */
  bom: boolean;
}

export const PLAIN_DIALECT: CsvDialect = { delimiter: ',', lineEnd: '\n', bom: false };
/** How a Nordic Excel saves CSV: `;` (the decimal separator is `,`), CRLF, a BOM. */
export const EXCEL_DIALECT: CsvDialect = { delimiter: ';', lineEnd: '\r\n', bom: true };

const FLUSH_CHARS = 1 << 16;

export class CsvFileWriter {
  readonly #fd: number;
  readonly #dialect: CsvDialect;
  readonly #needsQuotes: RegExp;
  #buffer = '';
  #rows = 0;
  #bytes = 0;

  constructor(path: string, dialect: CsvDialect, header: readonly string[]) {
    this.#fd = openSync(path, 'w');
    this.#dialect = dialect;
    this.#needsQuotes = dialect.delimiter === ',' ? /[",\r\n]/ : /[";\r\n]/;
    if (dialect.bom) this.#buffer = '\ufeff';
    this.#line(header);
  }

  /** Data rows written so far (the header not counted). */
  get rows(): number {
    return this.#rows;
  }

  write(fields: readonly string[]): void {
    this.#line(fields);
    this.#rows++;
  }

  /** Flushes and closes; returns the file size in bytes. */
  close(): number {
    this.#flush();
    closeSync(this.#fd);
    return this.#bytes;
  }

  #line(fields: readonly string[]): void {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) line += this.#dialect.delimiter;
      const field = fields[i]!;
      line += this.#needsQuotes.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
    }
    this.#buffer += line + this.#dialect.lineEnd;
    if (this.#buffer.length >= FLUSH_CHARS) this.#flush();
  }

  #flush(): void {
    if (this.#buffer.length === 0) return;
    this.#bytes += writeSync(this.#fd, this.#buffer);
    this.#buffer = '';
  }
}

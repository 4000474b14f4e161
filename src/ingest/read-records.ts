// Streams a CSV file's records to a synchronous callback, each with the physical line an editor shows.
// csv-parse does the dialect work (quotes, BOM, CRLF); iconv-lite decodes Windows-1252.
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { CsvError } from '../errors.ts';
import type { FileInspection } from './inspect-file.ts';

/** Read size: 64 KB keeps fewer parsed records alive at once than 256 KB (less memory), at the same speed. */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts (a quoted line break makes a record span lines). */
  line: number;
}

/**
 * Calls `onRecord` for every non-blank record, header included (it is the first). Rows that are only
 * delimiters (`;;;;`, as spreadsheets leave behind) count as blank.
 */
export async function readCsvRecords(
  path: string,
  fileName: string,
  inspection: FileInspection,
  onRecord: (record: CsvRecord) => void,
  onBytesRead?: (bytes: number) => void,
): Promise<void> {
  const parser = parse({
    delimiter: inspection.delimiter,
    bom: true,
    relax_column_count: true,
    encoding: inspection.encoding === 'utf-8' ? 'utf8' : undefined,
  });
  // Lines are counted here (csv-parse's own `info.lines` counts a CRLF inside quotes twice): every record,
  // blank lines included, spans 1 + (line breaks inside its fields) physical lines.
  let nextLine = 1;
  let records = 0;
  const input = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const consumer = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(record: string[], _encoding, done) {
      const line = nextLine;
      nextLine = line + 1 + lineBreaksIn(record);
      try {
        if (!isBlank(record)) onRecord({ fields: record, line });
        if (onBytesRead && ++records % 4096 === 0) onBytesRead(input.bytesRead);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  const stages =
    inspection.encoding === 'windows-1252'
      ? pipeline(input, iconv.decodeStream('win1252'), parser, consumer)
      : pipeline(input, parser, consumer);
  try {
    await stages;
    onBytesRead?.(input.bytesRead);
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('CSV_') && !(error instanceof CsvError)) {
      // csv-parse's own error (e.g. an unclosed quote): the file cannot be read past this point.
      const at = (error as { lines?: number }).lines ?? nextLine;
      throw new CsvError('CSV_UNREADABLE', { file: fileName, line: at }, `cannot parse CSV: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function lineBreaksIn(record: string[]): number {
  let breaks = 0;
  for (const field of record) {
    if (field.length === 0 || (!field.includes('\n') && !field.includes('\r'))) continue;
    for (let i = 0; i < field.length; i++) {
      const char = field.charCodeAt(i);
      // \n, or a lone \r (old Mac line end); \r\n counts once, at its \n.
      if (char === 10 || (char === 13 && field.charCodeAt(i + 1) !== 10)) breaks++;
    }
  }
  return breaks;
}

function isBlank(record: string[]): boolean {
  for (const field of record) if (field.length > 0 && field.trim() !== '') return false;
  return true;
}

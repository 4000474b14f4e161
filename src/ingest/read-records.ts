// Streams a CSV file's records to a synchronous callback, each with the physical line an editor shows.
// csv-parse does the dialect work (quotes, BOM, line endings); iconv-lite decodes Windows-1252 and
// UTF-16; bytes that are not valid UTF-8 in a UTF-8 file are marked (utf8-bytes.ts) so their row can be
// rejected. Every error on the way is a CsvError naming the file and the line.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CsvError as ParseError, parse, type Options } from 'csv-parse';
import iconv from 'iconv-lite';
import { CsvError } from '../errors.ts';
import { iconvName } from './inspect-file.ts';
import { type FileInspection } from '../base/export-shapes.ts';
import { InvalidUtf8Marker } from './utf8-bytes.ts';

/** Read size: small enough to keep few parsed records alive at once (README "Performance"). */
export const READ_CHUNK_BYTES = 64 * 1024;

/** The longest record read: a longer one is a quote that never closes, or not CSV at all. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** csv-parse's options: the same for the job's reader and the benchmark's parse floor. */
export function csvParseOptions(delimiter: string): Options {
  return {
    delimiter,
    bom: true,
    relax_column_count: true,
    // A quote inside an unquoted value (`Pizza 12" stor`) is part of the value, as Excel reads it.
    relax_quotes: true,
    // Each record ends at its own line break, whatever mix of CRLF, LF and lone CR the file has. Left to
    // itself, csv-parse takes the first line's ending for the whole file and glues LF-only rows together.
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_BYTES,
    encoding: 'utf8',
  };
}

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts (a quoted line break makes a record span lines). */
  line: number;
  /** How many physical lines it spans (1 unless a quoted value holds a line break). */
  lines: number;
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
  const parser = parse(csvParseOptions(inspection.delimiter));
  // Lines are counted here (csv-parse's own `info.lines` counts a CRLF inside quotes twice): every record,
  // blank lines included, spans 1 + (line breaks inside its fields) physical lines. Records arrive as
  // 'data' events, in step with the parser, so that when it fails `nextLine` is where the failing record starts.
  let nextLine = 1;
  let records = 0;
  let failure: Error | undefined;
  const input = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  parser.on('data', (record: string[]) => {
    if (failure) return;
    const line = nextLine;
    const lines = 1 + lineBreaksIn(record);
    nextLine = line + lines;
    try {
      if (!isBlank(record)) onRecord({ fields: record, line, lines });
      if (onBytesRead && ++records % 4096 === 0) onBytesRead(input.bytesRead);
    } catch (error) {
      failure = error as Error;
      parser.destroy(failure);
    }
  });
  const decoder: NodeJS.ReadWriteStream | undefined =
    inspection.encoding !== 'utf-8' ? iconv.decodeStream(iconvName(inspection.encoding)) : inspection.invalidUtf8 ? new InvalidUtf8Marker() : undefined;
  try {
    await (decoder ? pipeline(input, decoder, parser) : pipeline(input, parser));
    onBytesRead?.(input.bytesRead);
  } catch (error) {
    throw failure ?? asCsvError(error, fileName, nextLine);
  }
}

/** What a csv-parse error means for the merchant. Its own message is not used: it quotes raw field bytes. */
const PARSE_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value starts in the row on this line and is never closed (no matching " before the end of the file)',
  CSV_MAX_RECORD_SIZE: `the row on this line is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB: a quote that is never closed, or not a CSV file`,
};

function asCsvError(error: unknown, fileName: string, line: number): CsvError {
  if (error instanceof CsvError) return error;
  if (error instanceof ParseError) {
    const problem = PARSE_PROBLEMS[error.code] ?? `the row on this line cannot be parsed as CSV (${error.code})`;
    return new CsvError('CSV_UNREADABLE', { file: fileName, line }, problem, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new CsvError('CSV_UNREADABLE', { file: fileName, line }, `cannot be read: ${reason}`, { cause: error });
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

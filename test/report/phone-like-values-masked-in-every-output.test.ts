// A value that looks like a phone number is masked in every output, whatever its column: a date column
// holding 98765433, a boolean holding +4798765435, a contact id that is a phone number, an API echoing
// a number in its error. rejects.csv keeps file, line, column, reason (with the masked value) and
// contact id, so the merchant can still find the row; dates, event ids, hashes and counts stay intact.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { refusingProxy } from '../fixtures/refusing-proxy.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const MEMBERS = [
  'contact_id,phone_number,joined_on,bonus_points,accepts_sms',
  'M-1,+4741234567,2024-01-05,10,true',
  '+4798765436,+47 412 34 568,2024-02-01,20,true',
  '98765437,412 34 569,2024-03-01,30,false',
  'M-2,+4741234570,98765433,40,true',
  'M-3,0047 41234571,987 65 434,50,true',
  'M-4,41234572,2024-04-01,60,+4798765435',
  '',
].join('\n');

/** Every full number in the export, as written and as digits only. */
const FULL_NUMBERS = ['41234567', '41234568', '41234569', '41234570', '41234571', '41234572', '98765433', '98765434', '98765435', '98765436', '98765437', '987 65 434', '412 34 56'];

describe('phone-like values beyond the phone column', () => {
  it('are masked in rejects.csv, report.json, report.html, metrics, stdout and the logs, leaving enough to find each row', async () => {
    const sandbox = await sandboxForTest();
    // The API refuses two members, echoing a number each time: the contact id, and a national number.
    const proxy = await refusingProxy(
      sandbox.url,
      (event) => ['+4798765436', '98765437'].includes(event.payload.contactId),
      (event) => `member ${event.payload.contactId} (phone 41234569) is blocked`,
    );
    const dir = tempDir();
    const source = writeFiles(tempDir(), { 'members.csv': MEMBERS });
    const result = await runCli(
      ['run', '--source', source, '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', proxy, '--log-level', 'debug'],
      CREDENTIALS_ENV,
    );
    expect(result.code, result.stderr).toBe(3);

    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    const folder = join(dir, 'reports', report.runId);
    const outputs: Record<string, string> = { stdout: result.stdout, stderr: result.stderr, 'latest.json': readFileSync(join(dir, 'reports', 'latest.json'), 'utf8') };
    for (const name of readdirSync(folder)) outputs[name] = readFileSync(join(folder, name), 'utf8');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['report.json', 'report.html', 'rejects.csv', 'metrics.prom']));
    const leaks = Object.entries(outputs).flatMap(([name, text]) => FULL_NUMBERS.filter((number) => text.includes(number)).map((number) => `${number} in ${name}`));
    expect(leaks).toEqual([]);

    // rejects.csv: file, line, column, the contact id, and the masked value.
    const rejects = parse(outputs['rejects.csv']!, { columns: true }) as Record<string, string>[];
    expect(rejects.map((row) => [row.file, row.line, row.column, row.contact_id])).toEqual([
      ['members.csv', '5', 'joined_on', 'M-2'],
      ['members.csv', '6', 'joined_on', 'M-3'],
      ['members.csv', '7', 'accepts_sms', 'M-4'],
    ]);
    expect(rejects.map((row) => row.value)).toEqual(['******33', '******34', "'+47******35"]);

    // report.json: contact ids that are phone numbers are masked; ids, dates and hashes are not.
    expect(report.failures.map((failure: { contactId: string }) => failure.contactId).sort()).toEqual(['******37', '+47******36']);
    expect(report.failures[0].detail).toMatch(/^HTTP 400: Bad Request: member (\+47\*{6}36|\*{6}37) \(phone \*{6}69\) is blocked$/);
    const registered = report.plannedSample['benefits.member.registered'] as { contactId: string; eventId: string }[];
    expect(registered.map((event) => event.contactId)).toEqual(['+47******36', '******37', 'M-1']);
    for (const event of registered) expect(event.eventId).toMatch(/^evt-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(report.source.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(report.startedAt)).toBeGreaterThan(0);
    expect(report.rows).toEqual({ read: 6, rejected: 3 });
  });

  it('are masked in what validate prints too, with file, line and column', async () => {
    const source = writeFiles(tempDir(), { 'members.csv': MEMBERS });
    const result = await runCli(['validate', join(source, 'members.csv')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`members.csv:5 joined_on: `);
    expect(result.stdout).toContain('got "******33"');
    expect(FULL_NUMBERS.filter((number) => result.stdout.includes(number))).toEqual([]);
  });
});

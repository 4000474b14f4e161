// `explain` on a member nobody knows says so (with or without an export to compare with), and never
// prints a full phone number, in text or JSON: not the snapshot's, not the export's.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('explain', () => {
  it('says a member is unknown, also when it compares with an export', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const state = join(dir, 'state.sqlite');
    for (const extra of [[], ['--source', join(SAMPLES, 'night-2')]]) {
      const text = await runCli(['explain', 'NOPE-1', '--state', state, ...extra]);
      expect(text.stderr).toBe('');
      expect(text.code).toBe(0);
      expect(text.stdout.split('\n')[0]).toMatch(/^Member NOPE-1: unknown \(not in the snapshot(, not in the export)?, no events\)$/);
      const json = await runCli(['explain', 'NOPE-1', '--state', state, ...extra, '--json']);
      expect(json.code).toBe(0);
      const explanation = JSON.parse(json.stdout);
      expect(explanation).toMatchObject({ contactId: 'NOPE-1', history: [] });
      expect(explanation.snapshot).toBeUndefined();
      if (extra.length > 0) expect(explanation.export).toMatchObject({ inExport: false, rejects: [], nextEvents: [] });
    }
  });

  it('prints no full phone number, in text or JSON, with or without the export', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const state = join(dir, 'state.sqlite');
    // M-10004 changed its phone number in night-2: the snapshot has one, the export the other.
    const phones = sandbox.members().map((member) => member.member.phoneNumber);
    const before = sandbox.members().find((member) => member.member.contactId === 'M-10004')!.member.phoneNumber;
    for (const args of [[], ['--json'], ['--source', join(SAMPLES, 'night-2')], ['--source', join(SAMPLES, 'night-2'), '--json']]) {
      const result = await runCli(['explain', 'M-10004', '--state', state, ...args]);
      expect(result.code).toBe(0);
      for (const phone of [...phones, '+4793995966']) {
        expect(result.stdout).not.toContain(phone);
        expect(result.stdout).not.toContain(phone.slice(3));
      }
      if (args.includes('--json')) expect(result.stdout).toContain(`${before.slice(0, 3)}******${before.slice(-2)}`);
    }
  });
});

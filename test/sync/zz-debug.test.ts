import { it } from 'vitest';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';
it('debug', async () => {
  const sandbox = await sandboxForTest();
  const work = tempDir();
  const exportDir = tempDir();
  writeFiles(exportDir, { 'members.csv': 'contact_id;phone_number;tier\r\nM01;41234501;bronze\r\n' });
  const n = await runNight(exportDir, work, sandbox.url);
  console.log(n.code, n.stdout, n.stderr, JSON.stringify(n.report.error), sandbox.members().length);
}, 60000);

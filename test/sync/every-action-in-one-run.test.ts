// All 11 actions of the Loyalty API in one run where the data calls for them: night-2 of the samples (new,
// changed and departed members, coupon, stamp-card and bonus-check changes, one member's only stamp card
// gone) with `--item-events items`, through the real CLI against the sandbox. The API ends up holding
// exactly what the same night sent as full replacements gives; report.html and `explain` say which mode
// made each coupon and stamp-card event.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/base/actions.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

/** night-2 without M-10012's only stamp card (bytes kept as they are: BOM, `;`, CRLF). */
function night2WithoutACard(): string {
  const folder = join(tempDir(), 'night-2');
  cpSync(join(SAMPLES, 'night-2'), folder, { recursive: true });
  const file = join(folder, 'stamp_cards.csv');
  const lines = readFileSync(file, 'latin1').split('\n');
  const kept = lines.filter((line) => !line.startsWith('M-10012;SC-LUNSJ;'));
  expect(kept).toHaveLength(lines.length - 1);
  writeFileSync(file, kept.join('\n'), 'latin1');
  return folder;
}

async function twoNights(night2: string, itemEvents: string) {
  const sandbox = await sandboxForTest();
  const dir = tempDir();
  const run = (source: string, ...extra: string[]) =>
    runCli(['run', '--source', source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--log-level', 'warn', ...extra], CREDENTIALS_ENV);
  expect((await run(join(SAMPLES, 'night-1'))).code).toBe(0);
  expect((await run(night2, '--item-events', itemEvents)).code).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
  return { sandbox, dir, report };
}

/** What the API holds: every member, deleted ones too, without the sandbox's own bookkeeping. */
const held = (sandbox: Sandbox) => sandbox.members({ includeDeleted: true }).map(({ lastEventAt: _at, ...member }) => member);

describe('one run', () => {
  it('sends all 11 actions where the data calls for them, and the API holds what full replacements give', async () => {
    const night2 = night2WithoutACard();
    const items = await twoNights(night2, 'items');
    expect(Object.keys(items.report.events.byAction).sort()).toEqual([...ACTIONS].sort());
    expect(items.report.events).toMatchObject({ failed: 0, accepted: items.report.events.planned });
    expect(items.sandbox.stats().anomalies).toEqual([]);
    // Per-item events for known members' changes; the new members' first syncs stay replacements.
    expect(items.report.events.plannedByBasis).toEqual({
      'benefits.coupon.updated': { items: 3 },
      'benefits.coupon.deleted': { items: 3 },
      'benefits.coupons.synced': { 'first sync': 2 },
      'benefits.stampCard.updated': { items: 3 },
      'benefits.stampCard.deleted': { items: 1 },
      'benefits.stampCards.synced': { 'first sync': 3 },
    });

    const synced = await twoNights(night2, 'synced');
    expect(Object.keys(synced.report.events.byAction)).not.toContain('benefits.coupon.updated');
    expect(held(items.sandbox)).toEqual(held(synced.sandbox));
    const bytes = (report: { events: { plannedBodyBytes: Record<string, number> } }) => Object.values(report.events.plannedBodyBytes).reduce((sum, n) => sum + n, 0);
    expect(bytes(items.report)).toBeLessThan(bytes(synced.report));

    const html = readFileSync(join(items.dir, 'reports', items.report.runId, 'report.html'), 'utf8');
    expect(html).toContain('planned as');
    expect(html).toContain('--item-events items');
    const reportFolders = readdirSync(join(items.dir, 'reports')).filter((name) => name !== 'latest.json' && !name.endsWith('.prom'));
    expect(reportFolders).toHaveLength(2);

    const explained = await runCli(['explain', 'M-10012', '--state', join(items.dir, 'state.sqlite')]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/benefits\.stampCard\.deleted .* \(--item-events items\)/);
    expect(explained.stdout).toMatch(/benefits\.stampCards\.synced .* \(the member's first sync of the kind: always a replacement\)/);
  });
});

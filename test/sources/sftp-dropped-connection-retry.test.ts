// A connection that dies in the middle of a download is re-opened and the file is fetched again from
// its first byte; a stalled transfer hits the read timeout and is retried the same way. What reaches
// ingest is the whole file or nothing: never a partial one.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

/** A members file of ~200 KB: several READ round trips, so a fault can strike after the first one. */
function bigMembers(): string {
  const rows = Array.from({ length: 4000 }, (_, i) => `M-${i},+4791${String(i).padStart(6, '0')},${randomBytes(12).toString('hex')}`);
  return `contact_id,phone_number,note\n${rows.join('\n')}\n`;
}

describe('SFTP downloads over a connection that drops', () => {
  it.each(['connection', 'channel'] as const)('re-fetches the whole file when the server kills the %s mid-read', async (mode) => {
    const backend = await openBackend('sftp');
    const content = bigMembers();
    backend.put('members-2026-11-24.csv', content);
    backend.put('2026-11-24.done', '');
    const server = backend.server!;
    server.readFaults = [{ path: backend.serverPath('incoming/members-2026-11-24.csv'), times: 2, mode }];
    const state = openTestState();
    const pulled = await backend.source().pull(state);
    expect(server.stats.opens.get(backend.serverPath('incoming/members-2026-11-24.csv'))).toBe(3);
    expect(server.stats.logins).toBeGreaterThanOrEqual(mode === 'connection' ? 3 : 2);
    expect(readFileSync(pulled!.files[0]!.path, 'utf8')).toBe(content);
    expect(state.logs.filter((line) => line.includes('retrying on a new connection'))).toHaveLength(2);
  });

  it('gives up after the configured attempts with SFTP_PARTIAL_FILE, leaving no partial file and nothing moved', async () => {
    const backend = await openBackend('sftp');
    backend.put('members-2026-11-24.csv', bigMembers());
    backend.put('2026-11-24.done', '');
    backend.server!.readFaults = [{ path: backend.serverPath('incoming/members-2026-11-24.csv'), times: 10, mode: 'connection' }];
    const source = backend.source({ sftp: { attempts: 3 } });
    await expect(source.pull(openTestState())).rejects.toMatchObject({ code: 'SFTP_PARTIAL_FILE', message: expect.stringContaining('download incoming/members-2026-11-24.csv failed after 3 attempt(s)') });
    expect(backend.server!.stats.opens.get(backend.serverPath('incoming/members-2026-11-24.csv'))).toBe(3);
    const downloads = join(backend.root, '..', 'downloads');
    expect(readdirSync(downloads)).toEqual([]); // the pull's temp folder, partial copies included, is gone
    expect(backend.names('incoming')).toEqual(['2026-11-24.done', 'members-2026-11-24.csv']);
  });

  it('abandons a download that makes no progress for timeoutMs and retries it on a new connection', async () => {
    const backend = await openBackend('sftp');
    const content = csv('members', 5);
    backend.put('members-2026-11-24.csv', content);
    backend.put('2026-11-24.done', '');
    backend.server!.readFaults = [{ path: backend.serverPath('incoming/members-2026-11-24.csv'), times: 1, mode: 'stall' }];
    const state = openTestState();
    const pulled = await backend.source({ sftp: { timeoutMs: 300 } }).pull(state);
    expect(readFileSync(pulled!.files[0]!.path, 'utf8')).toBe(content);
    expect(state.logs.join('')).toContain('no data for 300 ms while downloading incoming/members-2026-11-24.csv');
  });

  it('puts the export away on a new connection, so a connection lost between pull and put-away does not matter', async () => {
    const backend = await openBackend('sftp');
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('2026-11-24.done', '');
    const source = backend.source();
    const pulled = await source.pull(openTestState());
    const loginsAfterPull = backend.server!.stats.logins;
    expect(await source.putAway(pulled!, 'succeeded')).toContainEqual({ name: 'members-2026-11-24.csv', movedTo: 'archive/2026-11-24/members-2026-11-24.csv' });
    expect(backend.server!.stats.logins).toBe(loginsAfterPull + 1);
    expect(existsSync(join(backend.root, 'archive/2026-11-24/members-2026-11-24.csv'))).toBe(true);
  });

  it('retries connecting with exponential backoff and full jitter, then fails with SFTP_CONNECT_FAILED', async () => {
    const backend = await openBackend('sftp');
    await backend.server!.close();
    const delays: number[] = [];
    const source = backend.source({ sftp: { attempts: 4, retryBaseDelayMs: 100, retryMaxDelayMs: 300 }, sleep: async (ms) => void delays.push(ms), random: () => 0.5 });
    await expect(source.pull(openTestState())).rejects.toMatchObject({ code: 'SFTP_CONNECT_FAILED', message: expect.stringMatching(/connect failed after 4 attempt\(s\): .*ECONNREFUSED|refused/) });
    // Ceilings 100, 200, 400→300 (the maximum); full jitter takes a random share of each.
    expect(delays).toEqual([50, 100, 150]);
  });
});

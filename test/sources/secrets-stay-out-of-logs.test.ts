// Passwords, private keys and passphrases never appear in a log line (even at debug level, even while
// retrying), an error message, an error note or the source's description.
import { describe, expect, it } from 'vitest';
import { csv, openBackend, openTestState, SFTP_USER } from './fixtures/drop-backends.ts';
import { generateKeys } from './fixtures/sftp-server.ts';

describe('SFTP secrets', () => {
  it('stay out of logs, errors, error notes and the description', async () => {
    const backend = await openBackend('sftp');
    const state = openTestState();
    const seen: string[] = [];
    const keys = generateKeys({ passphrase: 'pass-PHRASE-42' });
    const secrets = [SFTP_USER.password, 'pass-PHRASE-42', ...keys.private.split('\n').filter((line) => line.length > 40)];
    expect(secrets.length).toBeGreaterThan(2);

    backend.put('members-2026-11-24.csv', csv('members', 200));
    backend.put('2026-11-24.done', '');
    backend.server!.readFaults = [{ path: backend.serverPath('incoming/members-2026-11-24.csv'), times: 1, mode: 'connection' }];
    // Key and password both configured: the server takes the password, the key is offered first.
    const source = backend.source({ sftp: { privateKey: keys.private, passphrase: 'pass-PHRASE-42' } });
    seen.push(source.description);
    const pulled = await source.pull(state);
    await source.putAway(pulled!, 'refused', 'refused for the test');
    seen.push(backend.read('failed/members-2026-11-24.csv.error.txt'));

    for (const sftp of [{ password: 'wrong-PASSWORD-7' }, { hostKey: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' }]) {
      const error = await backend.source({ sftp }).pull(state).catch((caught: unknown) => caught as Error);
      seen.push(String(error), (error as Error).stack ?? '', JSON.stringify(error));
    }
    secrets.push('wrong-PASSWORD-7');

    const everything = [...state.logs, ...seen].join('\n');
    expect(state.logs.some((line) => line.includes('retrying on a new connection'))).toBe(true);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { runSandboxCommand, SANDBOX_USAGE } from '../../src/sandbox/command.ts';
import { registered } from './fixtures/loyalty-events.ts';
import { SandboxClient, TOKEN_HEADERS } from './fixtures/sandbox-client.ts';

const LISTENING = /^Loyalty API sandbox listening on (http:\/\/127\.0\.0\.1:(\d+)) /;
const FIXTURE = fileURLToPath(new URL('./fixtures/run-sandbox-command.ts', import.meta.url));

/** Runs the command in-process until the test aborts it; resolves once it printed its listening line. */
async function runInProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const output: string[] = [];
  const controller = new AbortController();
  let announce: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const stdout = {
    write(text: string) {
      output.push(text);
      const match = LISTENING.exec(text);
      if (match?.[1]) announce(match[1]);
    },
  };
  const finished = runSandboxCommand(args, env, { stdout, signal: controller.signal });
  const url = await Promise.race([listening, finished.then(() => Promise.reject(new Error(`command ended early: ${output.join('')}`)))]);
  const client = new SandboxClient(url);
  onTestFinished(async () => {
    controller.abort();
    await finished;
    await client.pool.destroy();
  });
  return { url, client, output, stop: () => controller.abort(), finished };
}

function spawnCommand(args: string[]): { child: ChildProcess; stdout: () => string; url: Promise<string>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = LISTENING.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', () => reject(new Error(`sandbox process exited before listening: ${stderr}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => stdout, url, exit };
}

describe('runSandboxCommand', () => {
  it('prints one listening line with the url and the inspection endpoints, serves, and resolves when stopped', async () => {
    const run = await runInProcess(['--port', '0']);
    expect(run.output).toHaveLength(1);
    expect(run.output[0]).toMatch(/_sandbox\/members/);
    expect(run.output[0]).toMatch(/_sandbox\/stats/);
    expect((await run.client.sendEvent(registered('c-1'))).status).toBe(200);
    expect((await run.client.get('/_sandbox/members/c-1')).status).toBe(200);

    run.stop();
    await expect(run.finished).resolves.toBeUndefined();
    await expect(run.client.get('/_sandbox/stats')).rejects.toThrow();
  });

  it('turns fault flags into the sandbox faults', async () => {
    const run = await runInProcess([
      '--port=0',
      '--latency-ms=5',
      '--jitter-ms=3',
      '--error-rate=0.25',
      '--rate-limit=100',
      '--retry-after=4',
      '--capacity=24',
      '--fail-contacts=c-a, c-b',
      '--reset-rate=0.1',
      '--drop-rate=0.2',
      '--non-json-accept-rate=0.3',
      '--echo-credentials',
      '--error-body-bytes=5000000',
      '--token-latency-ms=40',
      '--token-fail-status=429',
      '--token-fail-count=2',
      '--token-retry-after=3',
      '--seed=77',
    ]);
    expect((await run.client.get('/_sandbox/faults')).body).toEqual({
      latencyMs: 5,
      jitterMs: 3,
      errorRate: 0.25,
      rateLimit: { requestsPerSecond: 100, retryAfterSeconds: 4 },
      capacity: 24,
      failContactIds: ['c-a', 'c-b'],
      resetRate: 0.1,
      acceptThenDropRate: 0.2,
      nonJsonAcceptRate: 0.3,
      echoCredentials: true,
      errorBodyBytes: 5_000_000,
      tokenLatencyMs: 40,
      tokenFailures: { status: 429, count: 2, retryAfterSeconds: 3 },
      seed: 77,
    });
  });

  it('refuses --token-fail-count without --token-fail-status', async () => {
    await expect(runSandboxCommand(['--port=0', '--token-fail-count=2'], {})).rejects.toThrow(/--token-fail-count and --token-retry-after need --token-fail-status/);
  });

  it('applies --token-lifetime', async () => {
    const run = await runInProcess(['--port', '0', '--token-lifetime', '120']);
    expect((await run.client.fetchToken()).body.expires_in).toBe('120');
  });

  it('enforces credentials taken from the environment, and flags override single values', async () => {
    const env = {
      LOYALTY_SYNC_SANDBOX_CLIENT_ID: TOKEN_HEADERS.client_id,
      LOYALTY_SYNC_SANDBOX_CLIENT_SECRET: 'from-env',
      LOYALTY_SYNC_SANDBOX_SUBSCRIPTION_KEY: TOKEN_HEADERS['Ocp-Apim-Subscription-Key'],
      LOYALTY_SYNC_SANDBOX_MERCHANT_SERIAL_NUMBER: TOKEN_HEADERS['Merchant-Serial-Number'],
    };
    const run = await runInProcess(['--port', '0', '--client-secret', TOKEN_HEADERS.client_secret], env);
    expect(run.output[0]).toContain('credentials enforced');
    expect(run.output.join('')).not.toContain(TOKEN_HEADERS.client_secret);
    expect((await run.client.fetchToken()).status).toBe(200);
    expect((await run.client.fetchToken({ client_id: 'someone-else' })).status).toBe(401);
  });

  it('keeps no event bodies with --no-record-events, but still deduplicates and applies', async () => {
    const run = await runInProcess(['--port', '0', '--no-record-events']);
    const event = registered('C-1');
    expect((await run.client.sendEvent(event)).status).toBe(200);
    expect((await run.client.sendEvent(event)).status).toBe(200);
    expect((await run.client.get('/_sandbox/events')).body).toEqual({ recording: false, events: [] });
    expect((await run.client.get('/_sandbox/stats')).body).toMatchObject({ accepted: 1, duplicates: 1 });
    expect((await run.client.get('/_sandbox/members/C-1')).status).toBe(200);
  });

  it('does not enforce credentials when none are set', async () => {
    const run = await runInProcess(['--port', '0']);
    expect(run.output[0]).not.toContain('credentials enforced');
    expect((await run.client.fetchToken({ client_id: 'anyone' })).status).toBe(200);
  });

  it('prints the usage for --help and resolves without starting', async () => {
    const output: string[] = [];
    await runSandboxCommand(['--help'], {}, { stdout: { write: (text: string) => output.push(text) } });
    expect(output.join('')).toBe(SANDBOX_USAGE);
    expect(SANDBOX_USAGE).toContain('--drop-rate');
  });

  it.each([
    [['--bogus'], /bogus/],
    [['extra-positional'], /positional/i],
    [['--port', 'eighty'], /--port: expected a number, got "eighty"/],
    [['--port', '70000'], /--port:/],
    [['--error-rate', '1.5'], /--error-rate:/],
    [['--drop-rate=-0.1'], /--drop-rate:/],
    [['--rate-limit', '0'], /--rate-limit:/],
    [['--retry-after', '3'], /--retry-after needs --rate-limit/],
    [['--capacity', '0'], /--capacity:/],
    [['--capacity', '2.5'], /--capacity:/],
    [['--seed', '1.5'], /--seed:/],
    [['--token-lifetime', ''], /--token-lifetime: expected a number/],
    [['--client-id', 'only-one'], /missing --client-secret .*LOYALTY_SYNC_SANDBOX_CLIENT_SECRET/],
  ])('throws a UsageError for %j', async (args, message) => {
    const run = runSandboxCommand(['--port', '0', ...args], {}, { stdout: { write: () => true } });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('runs as a process until %s, then closes and exits 0', async (signal) => {
    const run = spawnCommand(['--port', '0']);
    const client = new SandboxClient(await run.url);
    onTestFinished(() => client.pool.destroy());
    expect((await client.get('/_sandbox/stats')).status).toBe(200);

    run.child.kill(signal);

    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('sandbox command resolved');
  });

  it('keeps answered events in --state-file across a SIGKILL of the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = join(dir, 'events.jsonl');

    const first = spawnCommand(['--port', '0', '--state-file', stateFile]);
    const firstClient = new SandboxClient(await first.url);
    expect((await firstClient.sendEvent(registered('c-killed'))).status).toBe(200);
    first.child.kill('SIGKILL');
    await first.exit;
    await firstClient.pool.destroy();

    const second = spawnCommand(['--port', '0', '--state-file', stateFile]);
    const secondClient = new SandboxClient(await second.url);
    onTestFinished(() => secondClient.pool.destroy());
    const member = await secondClient.get('/_sandbox/members/c-killed');
    expect(member.status).toBe(200);
    expect(member.body.deleted).toBe(false);
  });
});

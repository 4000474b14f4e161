// An API, a gateway or a monitoring endpoint that echoes what it was sent — a token endpoint answering
// 401 with the client_secret and subscription key, an events endpoint quoting the request headers (the
// bearer token) in a 400 or 500, a webhook quoting its own URL, a Pushgateway quoting the Basic auth —
// gets none of the configured secrets nor the access token into stdout, stderr, any file under the
// report folder, the state file (its bytes, after a checkpoint) or a notification. The real CLI, with
// small node:http servers that misbehave where the sandbox does not.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { request } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, type CliResult } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const SECRETS = {
  clientId: 'client-ID-3b1f0c77',
  // A quote, a backslash, a slash and a plus: echoed JSON-escaped or URL-encoded, it must still go.
  clientSecret: 'cl1ent+SECRET/"q"\\x9',
  subscriptionKey: 'sub-KEY-5e2a9d41c0',
  sftpPassword: 'sftp-PASS-91xq',
  sftpPassphrase: 'key-PHRASE-7731',
  privateKeyLine: 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  webhookToken: 'whk-TOKEN-a1b2c3d4e5f6',
  pushPassword: 'push-PASS-4411',
};

function environment(notifyUrl: string): NodeJS.ProcessEnv {
  return {
    VIPPS_CLIENT_ID: SECRETS.clientId,
    VIPPS_CLIENT_SECRET: SECRETS.clientSecret,
    VIPPS_SUBSCRIPTION_KEY: SECRETS.subscriptionKey,
    VIPPS_MERCHANT_SERIAL_NUMBER: '123456',
    LOYALTY_SYNC_SFTP_PASSWORD: SECRETS.sftpPassword,
    LOYALTY_SYNC_SFTP_PASSPHRASE: SECRETS.sftpPassphrase,
    LOYALTY_SYNC_SFTP_PRIVATE_KEY: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRETS.privateKeyLine}\n-----END OPENSSH PRIVATE KEY-----\n`,
    LOYALTY_SYNC_NOTIFY_URL: notifyUrl,
  };
}

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  type?: string;
  body: string;
}

type Answer = (received: Received) => Promise<Reply> | Reply;

/** A node:http server that records every request and answers as `answer` says. */
async function fakeServer(answer: Answer): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = { url: req.url!, headers: req.headers, body };
    received.push(request);
    const reply = await answer(request);
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json' }).end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** Monitoring endpoints that refuse, quoting what they were sent: the webhook its URL, the gateway its auth. */
async function echoingMonitors() {
  const hook = await fakeServer(({ url }) => ({ status: 400, type: 'text/plain', body: `no channel for ${url}` }));
  const gateway = await fakeServer(({ headers }) => ({ status: 500, type: 'text/plain', body: `bad credentials: ${headers.authorization}` }));
  const notifyUrl = `${hook.url}/services/T0123/B0456/${SECRETS.webhookToken}`;
  const pushgatewayUrl = gateway.url.replace('http://', `http://pushuser:${SECRETS.pushPassword}@`);
  return { hook, gateway, notifyUrl, pushgatewayUrl };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The state file and its WAL as bytes on disk, after folding the WAL into the file. */
function stateBytes(path: string): string {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return [path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('\n');
}

/** Every output of a run, by name: stdout, stderr, each file under the report folder, the state file. */
function outputsOf(result: CliResult, dir: string, extra: Record<string, string>): Record<string, string> {
  const outputs: Record<string, string> = { stdout: result.stdout, stderr: result.stderr, state: stateBytes(join(dir, 'state.sqlite')), ...extra };
  for (const file of filesUnder(join(dir, 'reports'))) outputs[file] = readFileSync(file, 'utf8');
  return outputs;
}

function expectNoSecretIn(outputs: Record<string, string>, secrets: readonly string[]): void {
  // Also as an API or a log would escape them (JSON-escaped, URL-encoded), and the start of each
  // configured one, as a message that quotes a cut text would leave it (V8's JSON.parse quotes 10).
  const starts = Object.values(SECRETS).map((secret) => secret.slice(0, 10));
  const forms = [...starts, ...secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
  const leaks = Object.entries(outputs).flatMap(([name, text]) => forms.filter((form) => text.includes(form)).map((form) => `${form} in ${name}`));
  expect(leaks).toEqual([]);
}

function runArgs(dir: string, apiUrl: string, pushgatewayUrl: string): string[] {
  return ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--pushgateway-url', pushgatewayUrl, '--log-level', 'debug'];
}

describe('secrets echoed back', () => {
  const TOKEN_ECHOES: { name: string; answer: (headers: IncomingHttpHeaders, every: string[]) => Reply; shown?: string }[] = [
    {
      name: 'a 401 quoting them in JSON',
      answer: (headers, every) => ({
        status: 401,
        body: JSON.stringify({ message: `invalid_client: client_secret ${String(headers.client_secret)}, key ${String(headers['ocp-apim-subscription-key'])}; configured: ${every.join(' ')}`, headers }),
      }),
      shown: 'client_secret [redacted], key [redacted]',
    },
    { name: 'a 403 page quoting the request headers', answer: (headers) => ({ status: 403, type: 'text/html', body: `<pre>${JSON.stringify(headers)}</pre>` }), shown: '"client_secret":"[redacted]"' },
    { name: 'a 200 that is not JSON but the secret itself', answer: (headers) => ({ status: 200, type: 'text/plain', body: `${String(headers.client_secret)} accepted` }) },
  ];

  it.each(TOKEN_ECHOES)('by a token endpoint answering $name reach no output: stdout, stderr, reports, state, notifications', async ({ answer, shown }) => {
    const monitors = await echoingMonitors();
    const every = [...Object.values(SECRETS), monitors.notifyUrl, Buffer.from(`pushuser:${SECRETS.pushPassword}`).toString('base64')];
    const api = await fakeServer(({ url, headers }) => (url === '/accesstoken/get' ? answer(headers, every) : { status: 500, body: 'not expected' }));
    const dir = tempDir();
    const result = await runCli(runArgs(dir, api.url, monitors.pushgatewayUrl), environment(monitors.notifyUrl));

    expect(result.code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report.error.code).toBe('API_TOKEN_FAILED');
    // Where the echo reaches the outputs' path, it is taken out of it.
    if (shown) expect(report.error.message).toContain(shown);
    expect(result.stderr).toContain('could not announce the run');
    expect(monitors.hook.received).toHaveLength(1);
    expect(monitors.gateway.received).toHaveLength(1);

    const sent = { webhookBody: monitors.hook.received[0]!.body, pushBody: monitors.gateway.received[0]!.body };
    expectNoSecretIn(outputsOf(result, dir, sent), every);
  });

  it('by an events endpoint quoting the request headers in a 400 or a 500 reach no output, the bearer token included', async () => {
    const sandbox = await sandboxForTest();
    const monitors = await echoingMonitors();
    const tokens: string[] = [];
    // In front of the sandbox: passes everything on, notes the tokens handed out, and answers chosen
    // members' events with the request headers quoted back.
    const api = await fakeServer(async ({ url, headers, body }) => {
      const contactId = url === '/loyalty/v1/events' ? (JSON.parse(body) as { payload: { contactId: string } }).payload.contactId : '';
      if (contactId === 'M-10005') return { status: 400, type: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail: `headers: ${JSON.stringify(headers)}` }) };
      if (contactId === 'M-10010') return { status: 500, type: 'text/plain', body: `upstream failed for ${JSON.stringify(headers)}` };
      const answer = await request(`${sandbox.url}${url}`, { method: 'POST', headers: headers as Record<string, string>, body });
      const text = await answer.body.text();
      if (url === '/accesstoken/get') tokens.push((JSON.parse(text) as { access_token: string }).access_token);
      return { status: answer.statusCode, body: text };
    });
    const dir = tempDir();
    const result = await runCli(
      [...runArgs(dir, api.url, monitors.pushgatewayUrl), '--max-attempts', '2', '--retry-base-delay-ms', '1', '--retry-max-delay-ms', '5'],
      environment(monitors.notifyUrl),
    );

    expect(result.code).toBe(3);
    expect(tokens.length).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    const details = new Map((report.failures as { contactId: string; detail: string }[]).map((failure) => [failure.contactId, failure.detail]));
    expect(details.get('M-10005')).toMatch(/"authorization":"Bearer \[redacted\]"/);
    expect(details.get('M-10010')).toMatch(/"authorization":"Bearer \[redacted\]"/);
    const db = new DatabaseSync(join(dir, 'state.sqlite'));
    const stored = db.prepare(`SELECT failure FROM outbox_members WHERE contact_id = 'M-10005'`).get() as { failure: string };
    const lastError = db.prepare(`SELECT last_error FROM outbox_events WHERE contact_id = 'M-10010' AND last_error IS NOT NULL`).get() as { last_error: string };
    db.close();
    expect(stored.failure).toContain('[redacted]');
    expect(lastError.last_error).toContain('[redacted]');

    const every = [...Object.values(SECRETS), monitors.notifyUrl, ...tokens];
    expectNoSecretIn(outputsOf(result, dir, { webhookBody: monitors.hook.received[0]!.body, pushBody: monitors.gateway.received[0]!.body }), every);
  });
});

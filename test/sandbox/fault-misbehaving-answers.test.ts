// Answers a careless service gives: credentials echoed back, megabyte problem details, a 200 that is not
// the accepted JSON. The sandbox can give them on demand, so the job's handling of them can be shown.
import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox, TOKEN_HEADERS } from './fixtures/sandbox-client.ts';

describe('echoCredentials', () => {
  it('makes a refused token request echo the client secret and subscription key it was sent', async () => {
    const { client } = await openSandbox({ faults: { echoCredentials: true, tokenFailures: { status: 401 } } });
    const reply = await client.fetchToken();
    expect(reply.status).toBe(401);
    expect(reply.body.message).toContain(TOKEN_HEADERS.client_secret);
    expect(reply.body.message).toContain(TOKEN_HEADERS['Ocp-Apim-Subscription-Key']);
  });

  it('makes an events error answer echo the request headers, bearer token included', async () => {
    const { client, sandbox } = await openSandbox({ faults: { failContactIds: ['c-1'] } });
    const token = await client.accessToken();
    sandbox.setFaults({ echoCredentials: true });
    const reply = await client.sendEvent(registered('c-1'));
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toContain(`Bearer ${token}`);
    expect(reply.body.detail).toContain(TOKEN_HEADERS['Ocp-Apim-Subscription-Key']);
    // Accepted events are answered as always.
    expect((await client.sendEvent(registered('c-2'))).body).toEqual({ status: 'accepted', eventId: expect.any(String) });
  });

  it('echoes nothing when off (the default)', async () => {
    const { client } = await openSandbox({ faults: { failContactIds: ['c-1'] } });
    const reply = await client.sendEvent(registered('c-1'));
    expect(JSON.stringify(reply.body)).not.toContain(TOKEN_HEADERS['Ocp-Apim-Subscription-Key']);
  });
});

describe('errorBodyBytes', () => {
  it('pads error answers of both endpoints to the given size, still as valid JSON', async () => {
    const { client, sandbox } = await openSandbox();
    sandbox.setFaults({ errorBodyBytes: 5_000_000 });
    // Without the system headers: a 400 problem from the service.
    const event = await client.request('POST', '/loyalty/v1/events', {
      headers: { 'Ocp-Apim-Subscription-Key': 'k', Authorization: `Bearer ${await client.accessToken()}` },
      body: '{}',
    });
    expect(event.status).toBe(400);
    expect(JSON.stringify(event.body).length).toBeGreaterThanOrEqual(5_000_000);
    expect(event.body.title).toBe('Invalid request headers');

    sandbox.setFaults({ tokenFailures: { status: 503, count: 1 } });
    const token = await client.fetchToken();
    expect(token.status).toBe(503);
    expect(token.body.detail.length).toBeGreaterThan(4_900_000);
  });
});

describe('nonJsonAcceptRate', () => {
  it('applies the event and answers 200 with an HTML page; the re-send is a duplicate with the accepted JSON', async () => {
    const { client, sandbox } = await openSandbox({ faults: { nonJsonAcceptRate: 1 } });
    const event = registered('c-1', { tier: 'gold' });
    const reply = await client.sendEvent(event);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/html/);
    expect(reply.body).toMatch(/^<html>/);
    expect(sandbox.member('c-1')?.member.tier).toBe('gold');
    expect(sandbox.stats()).toMatchObject({ accepted: 1, nonJsonAnswers: 1 });

    sandbox.setFaults({ nonJsonAcceptRate: 0 });
    expect((await client.sendEvent(event)).body).toEqual({ status: 'accepted', eventId: event.eventId });
    expect(sandbox.stats()).toMatchObject({ accepted: 1, duplicates: 1 });
  });
});

describe('token endpoint faults', () => {
  it('answers the next n token requests with the status and Retry-After, then issues tokens again', async () => {
    const { client, sandbox } = await openSandbox();
    const changed = await client.post('/_sandbox/faults', { tokenFailures: { status: 429, count: 2, retryAfterSeconds: 3 } });
    expect(changed.body.tokenFailures).toEqual({ status: 429, count: 2, retryAfterSeconds: 3 });

    const first = await client.fetchToken();
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('3');
    expect(first.body).toEqual({ statusCode: 429, message: expect.stringContaining('tokenFailures') });
    expect((await client.get('/_sandbox/faults')).body.tokenFailures).toEqual({ status: 429, count: 1, retryAfterSeconds: 3 });
    expect((await client.fetchToken()).status).toBe(429);
    expect((await client.fetchToken()).status).toBe(200);
    expect(sandbox.faults().tokenFailures).toBeNull();
    expect(sandbox.stats()).toMatchObject({ tokenFailures: 2, tokensIssued: 1 });
  });

  it('answers 5xx as problem+json for as long as the fault is on when no count is given', async () => {
    const { client, sandbox } = await openSandbox({ faults: { tokenFailures: { status: 503 } } });
    for (let n = 0; n < 3; n++) {
      const reply = await client.fetchToken();
      expect(reply.status).toBe(503);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
    }
    sandbox.setFaults({ tokenFailures: null });
    expect((await client.fetchToken()).status).toBe(200);
  });

  it('delays token requests by tokenLatencyMs (events are not delayed)', async () => {
    const { client, sandbox } = await openSandbox({ faults: { tokenLatencyMs: 300 } });
    const started = performance.now();
    await client.fetchToken();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await client.sendEvent(registered('c-1'));
    expect(sandbox.stats().delayed).toBe(0);
  });
});

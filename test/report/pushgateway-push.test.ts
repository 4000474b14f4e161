// Pushing metrics to a Pushgateway, against a real HTTP server on a loopback port: PUT to the group's
// path in the text format; an answer other than 2xx, no answer, or no server is a clear error that
// names the endpoint without its credentials.
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/report/metrics.ts';
import { pushMetrics } from '../../src/report/push-metrics.ts';
import { captureServer, outboundRejection } from './fixtures/capture-server.ts';
import { parsePrometheusText } from './fixtures/prometheus-text.ts';
import { syntheticReport } from './fixtures/synthetic-report.ts';

const text = renderMetrics(syntheticReport(), { job: 'loyalty-sync' });

describe('pushMetrics', () => {
  it('PUTs the metrics text to /metrics/job/<job>', async () => {
    const gateway = await captureServer();
    await pushMetrics(gateway.url, 'loyalty-sync', text);
    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request).toMatchObject({ method: 'PUT', url: '/metrics/job/loyalty-sync', body: text });
    expect(request!.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(request!.headers.authorization).toBeUndefined();
    expect(parsePrometheusText(request!.body).size).toBeGreaterThan(10);
  });

  it('keeps the path of a gateway behind a prefix, and encodes job and grouping values', async () => {
    const gateway = await captureServer();
    await pushMetrics(`${gateway.url}/pushgateway/`, 'nightly sync', text, { grouping: { shard: '1/4', merchant: 'Bakeriet Øst' } });
    // "1/4" holds a slash: only the base64 form reaches the Pushgateway as one value.
    expect(gateway.requests[0]!.url).toBe(`/pushgateway/metrics/job/nightly%20sync/shard@base64/${Buffer.from('1/4').toString('base64url')}/merchant/Bakeriet%20%C3%98st`);
  });

  it('sends user:password from the URL as Basic auth, and never shows the password in an error', async () => {
    const gateway = await captureServer(() => ({ status: 401, body: 'unauthorized' }));
    const url = gateway.url.replace('http://', 'http://pusher:s3cret%21@');
    const error = await outboundRejection(pushMetrics(url, 'loyalty-sync', text));
    expect(gateway.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('pusher:s3cret!').toString('base64')}`);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('pusher');
  });

  it('fails with the status and the gateway\'s explanation on an answer other than 2xx', async () => {
    const gateway = await captureServer(() => ({ status: 400, body: 'pushed metrics are invalid or inconsistent with existing metrics: collected metric "x" was collected before' }));
    const error = await outboundRejection(pushMetrics(gateway.url, 'loyalty-sync', text));
    expect(error).toMatchObject({ code: 'METRICS_PUSH_FAILED', status: 400 });
    expect(error.message).toBe(
      `Pushgateway push to ${gateway.url}/metrics/job/loyalty-sync failed: HTTP 400: pushed metrics are invalid or inconsistent with existing metrics: collected metric "x" was collected before`,
    );
  });

  it('gives up after the timeout when the gateway does not answer', async () => {
    const gateway = await captureServer(() => 'hang');
    const error = await outboundRejection(pushMetrics(gateway.url, 'loyalty-sync', text, { timeoutMs: 300 }));
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`Pushgateway push to ${gateway.url}/metrics/job/loyalty-sync failed: no answer within 300 ms`);
  });

  it('fails clearly when nothing listens at the URL', async () => {
    // A port that was just free: listen on port 0, note the port, close.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await outboundRejection(pushMetrics(`http://127.0.0.1:${port}`, 'loyalty-sync', text, { timeoutMs: 2000 }));
    expect(error.message).toMatch(new RegExp(`^Pushgateway push to http://127\\.0\\.0\\.1:${port}/metrics/job/loyalty-sync failed: ECONNREFUSED`));
  });

  it('refuses an empty job, a "job" grouping label and a URL that is not http(s) before sending anything', async () => {
    const gateway = await captureServer();
    expect((await outboundRejection(pushMetrics(gateway.url, '', text))).message).toContain('expected a job name');
    expect((await outboundRejection(pushMetrics(gateway.url, 'j', text, { grouping: { job: 'x' } }))).message).toContain('got "job"');
    expect((await outboundRejection(pushMetrics('ftp://gateway.example.test', 'j', text))).message).toContain('expected an http:// or https:// URL, got ftp://');
    expect((await outboundRejection(pushMetrics('not a url', 'j', text))).message).toContain('the URL is not valid');
    expect(gateway.requests).toEqual([]);
  });
});

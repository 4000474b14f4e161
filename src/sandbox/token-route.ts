// POST /accesstoken/get (see the API note, "Access token"). Meets the latency faults and its own
// (`tokenLatencyMs`, `tokenFailures`), and the misbehaving error answers (`echoCredentials`,
// `errorBodyBytes`); the events' random faults never reach it, so fetching a token does not shift them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AccessTokens, headerValue } from './access-tokens.ts';
import { misbehavingErrorBody } from './error-answers.ts';
import type { MerchantFaults } from './merchant-faults.ts';
import { gatewayBody, problemBody, readBody, sendJson } from './http-messages.ts';
import type { SandboxState } from './sandbox-state.ts';

export interface TokenRouteContext {
  state: SandboxState;
  faults: MerchantFaults;
  tokens: AccessTokens;
  sleep(ms: number): Promise<void>;
}

export function createTokenHandler(ctx: TokenRouteContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    await readBody(req); // the body is empty by contract; read it so the connection can be reused
    const merchantSerialNumber = headerValue(req.headers, 'Merchant-Serial-Number') ?? '';
    const faults = ctx.faults.of(merchantSerialNumber);
    const plan = faults.tokenPlan();
    if (plan.delayMs > 0) await ctx.sleep(plan.delayMs);
    const refuse = (status: number, body: Record<string, unknown>, headers: Record<string, string>, contentType?: string) =>
      sendJson(res, status, misbehavingErrorBody(body, req.headers, faults.faults), headers, contentType);
    if (plan.failure) {
      ctx.state.count(merchantSerialNumber, 'tokenFailures');
      const { status, retryAfterSeconds } = plan.failure;
      const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
      // The gateway answers 401/403/429 in its own shape; the token service's other errors are problem+json.
      if ([401, 403, 429].includes(status)) refuse(status, gatewayBody(status, `injected fault (tokenFailures): answered ${status}`), headers);
      else refuse(status, problemBody({ status, slug: 'token-fault', title: 'Token service error', detail: `injected fault (tokenFailures): answered ${status}` }), headers, 'application/problem+json');
      return;
    }
    const verdict = ctx.tokens.checkTokenRequest(req.headers);
    if (!verdict.ok) {
      ctx.state.count(merchantSerialNumber, 'tokensRejected');
      refuse(401, gatewayBody(401, verdict.message), { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    ctx.state.count(merchantSerialNumber, 'tokensIssued');
    sendJson(res, 200, ctx.tokens.issue(), { 'Cache-Control': 'no-store' });
  };
}

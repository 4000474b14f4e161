// POST /accesstoken/get (see the API note, "Access token"). Meets only the latency fault: the fault
// modes exist to disturb event delivery, and a failing token endpoint would only hide that.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokens } from './access-tokens.ts';
import type { FaultInjector } from './fault-injector.ts';
import { gatewayBody, readBody, sendJson } from './http-messages.ts';
import type { SandboxState } from './sandbox-state.ts';

export interface TokenRouteContext {
  state: SandboxState;
  faults: FaultInjector;
  tokens: AccessTokens;
  sleep(ms: number): Promise<void>;
}

export function createTokenHandler(ctx: TokenRouteContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    await readBody(req); // the body is empty by contract; read it so the connection can be reused
    const delayMs = ctx.faults.tokenDelayMs();
    if (delayMs > 0) await ctx.sleep(delayMs);
    const verdict = ctx.tokens.checkTokenRequest(req.headers);
    if (!verdict.ok) {
      ctx.state.stats.tokensRejected += 1;
      sendJson(res, 401, gatewayBody(401, verdict.message), { 'WWW-Authenticate': 'Bearer' });
      return;
    }
    ctx.state.stats.tokensIssued += 1;
    sendJson(res, 200, ctx.tokens.issue(), { 'Cache-Control': 'no-store' });
  };
}

// The Loyalty API sandbox in a process of its own, so that the job's measured delivery does not share an
// event loop with the server. `node src/bench/sandbox-process.ts [--faults '{"latencyMs":20,…}']` listens
// on a free loopback port, prints `{"url": …}` on one line and runs until SIGTERM/SIGINT. Unlike
// `loyalty-sync sandbox` it does not record every event (recordEvents: false): a 1M-member run sends
// millions, and the list would only measure the sandbox's memory.
import { startSandbox } from '../sandbox/server.ts';

if (import.meta.main) {
  const faultsIndex = process.argv.indexOf('--faults');
  const faults = faultsIndex === -1 ? {} : (JSON.parse(process.argv[faultsIndex + 1]!) as object);
  const sandbox = await startSandbox({ port: 0, recordEvents: false, faults: { seed: 1, ...faults } });
  process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
  const stop = () => void sandbox.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

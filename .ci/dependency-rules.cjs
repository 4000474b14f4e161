// The direction of imports in src/ (README "Development"): cli → fleet/, sync.ts and run/ → stages (sources,
// ingest, plan, deliver, report) → state and api → config → base (base/, privacy/, errors.ts, log.ts).
// Stages do not import each other: what they hand each other is a shape in src/base/. The sandbox (the
// API emulator) and the benchmark are tools: no part of the job imports them. Tests may import anything,
// so only src/ is checked. `npm run check:imports`; CI runs it and fails the build on any violation.
const BASE = '^src/(base/|privacy/|errors\\.ts$|log\\.ts$)';
const CONFIG = '^src/config/';
const STATE_API = '^src/(state|api)/';
const STAGES = '^src/(sources|ingest|plan|deliver|report)/';
const RUN = '^src/(run/|fleet/|sync\\.ts$)';
const TOOLS = '^src/(sandbox|bench)/';

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle hides which module is the lower one.', from: {}, to: { circular: true } },
    { name: 'base-imports-only-base', severity: 'error', from: { path: BASE }, to: { path: '^src/', pathNot: BASE } },
    { name: 'config-imports-only-base', severity: 'error', from: { path: CONFIG }, to: { path: '^src/', pathNot: `${BASE}|${CONFIG}` } },
    {
      name: 'state-and-api-import-downward',
      severity: 'error',
      comment: 'state/ and api/ sit below the stages; state may use the API vocabulary (event schemas), not the other way round.',
      from: { path: STATE_API },
      to: { path: '^src/', pathNot: `${BASE}|${CONFIG}|^src/api/|^src/state/` },
    },
    { name: 'api-does-not-import-state', severity: 'error', from: { path: '^src/api/' }, to: { path: '^src/state/' } },
    {
      name: 'stages-import-downward-only',
      severity: 'error',
      comment: 'A stage uses state, api, config and base, and its own folder; never another stage, the run or the CLI.',
      from: { path: '^src/(sources|ingest|plan|deliver|report)/' },
      to: { path: '^src/', pathNot: [BASE, CONFIG, STATE_API, '^src/$1/'].join('|') },
    },
    { name: 'run-does-not-import-cli', severity: 'error', from: { path: RUN }, to: { path: '^src/cli/' } },
    {
      name: 'job-does-not-import-tools',
      severity: 'error',
      comment: 'The sandbox and the benchmark are tools beside the job: only the CLI starts the sandbox, nothing imports the benchmark.',
      from: { path: `${BASE}|${CONFIG}|${STATE_API}|${STAGES}|${RUN}` },
      to: { path: TOOLS },
    },
    { name: 'nothing-imports-the-benchmark', severity: 'error', from: { pathNot: '^src/bench/' }, to: { path: '^src/bench/' } },
    {
      name: 'sandbox-stands-alone',
      severity: 'error',
      comment: 'The emulator shares the API vocabulary with the job, nothing else.',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: `${BASE}|${CONFIG}|^src/api/|^src/sandbox/` },
    },
  ],
  options: {
    // TypeScript's own parser here is version 7, which dependency-cruiser does not load: swc parses the
    // sources, type-only imports included (they count: a shape imported upward is still upward).
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};

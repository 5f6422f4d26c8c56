import fc from "fast-check";

/**
 * fast-check parameters for the property tests: random seeds (fast-check prints the seed
 * and the shrunk counterexample on failure), bounded runs so that CI stays fast. To replay
 * a failure: FC_SEED=<seed> [FC_PATH=<path>] npx mocha dist/test/property/<file>.test.js;
 * FC_RUNS scales every property's runs (e.g. FC_RUNS=10 for a longer hunt).
 */
export function fcOptions<T>(numRuns: number): fc.Parameters<T> {
  const scale = Number(process.env.FC_RUNS ?? "1");
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
    // The shrunk counterexample is what matters; a long shrink on a loaded CI box is bounded (and fails).
    plugins: [fc.interruptAfterTimeLimit(60_000, { failOnInterrupt: true })],
  };
}

/**
 * `npm run test:es`: the real-cluster suite. With TANTALE_ES_URL set, the pinned cases of the
 * Elasticsearch-compatible test server (test/es-server) and the store's end-to-end scenarios
 * run against that cluster (indices with a unique prefix, deleted after); the scenarios that
 * need a fault only the test server can inject are skipped, saying so. Without it, the suite
 * is skipped with the reason: `npm test` runs the same cases against the test server.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const url = process.env.TANTALE_ES_URL;
if (url === undefined || url === "") {
  console.log(
    "test:es skipped: TANTALE_ES_URL is not set (e.g. TANTALE_ES_URL=http://localhost:9200 npm run test:es). npm test runs the same cases against the test server.",
  );
} else {
  const root = path.resolve(__dirname, "..", "..");
  const mocha = path.join(root, "node_modules", "mocha", "bin", "mocha.js");
  const specs = ["dist/test/es-server/*.test.js", "dist/plugins/store/elasticsearch/cluster-scenarios.test.js"];
  console.log(`test:es against ${url.replace(/\/\/[^@/]*@/, "//***@")}`);
  const r = spawnSync(process.execPath, [mocha, "--no-config", "--require", "reflect-metadata", "--timeout", "180000", ...specs], {
    cwd: root,
    stdio: "inherit",
  });
  process.exitCode = r.status ?? 1;
}

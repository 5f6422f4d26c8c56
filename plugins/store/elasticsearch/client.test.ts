import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { createClient, isUnreachable } from "./client";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import { ElasticsearchStore } from "./elasticsearch-store";
import { DEFAULT_CONFIG, ManualClock, MemorySpool } from "./test-kit";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A real HTTP server on port 0 that answers like Elasticsearch (or, with `product` unset, like OpenSearch). */
async function fakeServer(product: string | undefined): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      const body =
        req.url === "/"
          ? { name: "n", cluster_name: "c", cluster_uuid: "u", version: { number: "9.1.0" }, tagline: "You Know, for Search" }
          : { took: 1, errors: false, items: [{ create: { _index: "x", _id: "1", status: 201, result: "created" } }] };
      res.writeHead(200, { "content-type": "application/json", ...(product === undefined ? {} : { "x-elastic-product": product }) });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("elasticsearch client", () => {
  after(cleanupTempDirs);

  it("is not loaded with the built-in plugins: a daemon without an Elasticsearch store does not carry it", () => {
    // A fresh process: this one may have loaded the package for other tests.
    const script = [
      'require("reflect-metadata");',
      `require(${JSON.stringify(require.resolve("../../index"))});`,
      'process.stdout.write(String(Object.keys(require.cache).filter((f) => f.includes("@elastic")).length));',
    ].join("");
    expect(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })).to.equal("0");
  });

  it("sends compatible-with=8 headers (8.x servers take them, 9.x servers by REST compatibility) and the API key", async () => {
    const server = await fakeServer("Elasticsearch");
    const client = createClient({ ...DEFAULT_CONFIG, nodes: [server.url], api_key: "aWQ6a2V5" }, ".");
    try {
      await client.info();
      await client.bulk({ operations: [{ create: { _index: "x", _id: "1" } }, { a: 1 }] });
    } finally {
      await client.close();
      await server.close();
    }
    const [info, bulk] = server.seen;
    expect(info!.headers.accept).to.equal("application/vnd.elasticsearch+json; compatible-with=8,text/plain");
    expect(info!.headers.authorization).to.equal("ApiKey aWQ6a2V5");
    expect(bulk!.url).to.equal("/_bulk");
    expect(bulk!.headers["content-type"]).to.equal("application/vnd.elasticsearch+x-ndjson; compatible-with=8");
    expect(bulk!.headers.accept).to.equal("application/vnd.elasticsearch+json; compatible-with=8");
  });

  it("sends basic authentication for username/password", async () => {
    const server = await fakeServer("Elasticsearch");
    const client = createClient({ ...DEFAULT_CONFIG, nodes: [server.url], username: "tantale", password: "s3cret" }, ".");
    try {
      await client.info();
    } finally {
      await client.close();
      await server.close();
    }
    expect(server.seen[0]!.headers.authorization).to.equal(`Basic ${Buffer.from("tantale:s3cret").toString("base64")}`);
  });

  it("refuses a server that is not Elasticsearch (OpenSearch answers without x-elastic-product)", async () => {
    const server = await fakeServer(undefined);
    const client = createClient({ ...DEFAULT_CONFIG, nodes: [server.url] }, ".");
    try {
      const err = await client.info().catch((e: unknown) => e);
      expect((err as Error).name).to.equal("ProductNotSupportedError");
      expect(isUnreachable(err)).to.equal(false);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("fails the store's start on a server that is not Elasticsearch (no spooling: waiting would not help)", async () => {
    const server = await fakeServer(undefined);
    const spool = new MemorySpool();
    const store = new ElasticsearchStore(
      { ...DEFAULT_CONFIG, nodes: [server.url] },
      makeTempDir(),
      "elasticsearch",
      silentLogger(),
      new ManualClock(),
      new SelfStats().of("es"),
      { data_access: "private" },
      { openSpool: (o) => spool.open(o) },
    );
    try {
      const err = await store.start().catch((e: unknown) => e);
      expect((err as Error).message).to.match(/start failed: ProductNotSupportedError/);
      expect(store.spooling).to.equal(false);
    } finally {
      await store.stop();
      await server.close();
    }
  });

  it("tells an unreachable cluster (connection refused) from an answer", async () => {
    const server = await fakeServer("Elasticsearch");
    const url = server.url;
    await server.close();
    const client = createClient({ ...DEFAULT_CONFIG, nodes: [url], request_timeout: 5000 }, ".");
    try {
      const err = await client.info().catch((e: unknown) => e);
      expect((err as Error).name).to.equal("ConnectionError");
      expect(isUnreachable(err)).to.equal(true);
    } finally {
      await client.close();
    }
  });

  it("reads ca_file relative to the data dir and names it when it cannot", () => {
    expect(() => createClient({ ...DEFAULT_CONFIG, nodes: ["https://127.0.0.1:9200"], ca_file: "missing-ca.pem" }, makeTempDir())).to.throw(
      /ca_file .*missing-ca\.pem cannot be read/,
    );
  });
});

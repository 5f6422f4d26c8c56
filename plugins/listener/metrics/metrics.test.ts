import http from "node:http";
import { expect } from "chai";
import { portZeroConf, startDaemon, type DaemonPorts } from "../../../test/helpers/daemon-on-port-zero";
import { exchange } from "../../../test/helpers/livestatus-client";
import { LineClient } from "../../../test/helpers/net";
import type { ForegroundTantale } from "../../../test/helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../../test/helpers/temp-dir";

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }));
      })
      .on("error", reject);
  });
}

/** The value of one sample line (`name{labels} value`), undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metrics plugin (a real daemon, Prometheus text over HTTP)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale;
  let ports: DaemonPorts;
  let metricsPort: number;

  before(async () => {
    const conf = makeConfDir({ ...portZeroConf(), "metrics.conf": "port = 0\n" });
    ({ t, ports } = await startDaemon(conf, makeTempDir()));
    const served = await t.waitForLog((l) => l.instance === "metrics" && typeof l.port === "number", 5000);
    metricsPort = served.port as number;
    expect(served.msg).to.equal(`metrics served on http://127.0.0.1:${metricsPort}/metrics`);
  });

  after(async () => {
    await t.kill();
    cleanupTempDirs();
  });

  it("serves every metric's name, Tantale's and the process', in the Prometheus text format", async () => {
    const answer = await get(metricsPort, "/metrics");
    expect(answer.status).to.equal(200);
    expect(answer.type).to.match(/^text\/plain; version=0\.0\.4/);
    const types = new Map([...answer.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.fromEntries([...types].filter(([name]) => !/^tantale_(process|nodejs)_/.test(name)))).to.deep.equal({
      tantale_results_accepted_total: "counter",
      tantale_results_rejected_total: "counter",
      tantale_results_ignored_total: "counter",
      tantale_results_applied_total: "counter",
      tantale_input_pauses_total: "counter",
      tantale_input_connections_open: "gauge",
      tantale_queue_depth: "gauge",
      tantale_output_written_total: "counter",
      tantale_output_write_errors_total: "counter",
      tantale_output_failing: "gauge",
      tantale_output_write_seconds: "histogram",
      tantale_hosts: "gauge",
      tantale_checks: "gauge",
      tantale_checks_outdated_total: "counter",
      tantale_store_commits_total: "counter",
      tantale_store_commit_errors_total: "counter",
      tantale_store_commit_seconds: "histogram",
      tantale_livestatus_connections_total: "counter",
      tantale_livestatus_connections_open: "gauge",
      tantale_livestatus_overflows_total: "counter",
      tantale_livestatus_requests_total: "counter",
      tantale_livestatus_request_seconds: "histogram",
      tantale_spool_bytes: "gauge",
      tantale_spool_records: "gauge",
      tantale_instance_stat: "gauge",
    });
    // prom-client's process metrics, with the same prefix.
    expect(types.get("tantale_process_resident_memory_bytes")).to.equal("gauge");
    expect(types.get("tantale_nodejs_eventloop_lag_seconds")).to.equal("gauge");
    expect(sample(answer.body, 'tantale_results_accepted_total{input="line"}')).to.equal(0);
    expect(sample(answer.body, 'tantale_queue_depth{queue="store"}')).to.equal(0);
  });

  it("counts a result sent on the line socket as accepted, a bad line as rejected by reason, and the commit in the histogram", async () => {
    const before = (await get(metricsPort, "/metrics")).body;
    const commits = sample(before, "tantale_store_commit_seconds_count") ?? 0;
    const client = await LineClient.connect(ports.line);
    try {
      client.send(JSON.stringify({ hostname: "web1", check: "disk", status: 1, output: "WARN - 91% used", timestamp: Math.floor(Date.now() / 1000) }));
      client.send("this is not JSON");
      client.send("SYNC");
      expect(await client.next(15_000)).to.match(/^SYNCED/);
    } finally {
      client.close();
    }
    const after = (await get(metricsPort, "/metrics")).body;
    expect(sample(after, 'tantale_results_accepted_total{input="line"}')).to.equal(1);
    expect(sample(after, 'tantale_results_rejected_total{input="line",reason="not_json"}')).to.equal(1);
    expect(sample(after, 'tantale_results_applied_total{type="service"}')).to.equal(1);
    expect(sample(after, 'tantale_output_written_total{output="store"}')).to.equal(1);
    expect(sample(after, "tantale_store_commit_seconds_count")).to.be.greaterThan(commits);
    expect(sample(after, 'tantale_store_commit_seconds_bucket{le="+Inf"}')).to.equal(sample(after, "tantale_store_commit_seconds_count"));
    expect(sample(after, 'tantale_instance_stat{instance="line",stat="lines_rejected"}')).to.equal(1);
  });

  it("counts Livestatus requests by table and status code, with their latency, and shows the same figures in the status table", async () => {
    const answer = await exchange(ports.livestatus, "GET status\nColumns: tantale_results_accepted tantale_results_rejected service_checks requests\n\n");
    const [accepted, rejected, serviceChecks, requests] = answer.trim().split(";").map(Number);
    expect({ accepted, rejected, serviceChecks }).to.deep.equal({ accepted: 1, rejected: 1, serviceChecks: 1 });
    expect(requests).to.be.at.least(1);
    await exchange(ports.livestatus, "GET nosuchtable\n\n");
    const text = (await get(metricsPort, "/metrics")).body;
    expect(sample(text, 'tantale_livestatus_requests_total{listener="livestatus",table="status",code="200"}')).to.equal(1);
    expect(sample(text, 'tantale_livestatus_requests_total{listener="livestatus",table="nosuchtable",code="404"}')).to.equal(1);
    expect(sample(text, 'tantale_livestatus_request_seconds_count{listener="livestatus"}')).to.equal(2);
    expect(sample(text, 'tantale_livestatus_connections_total{listener="livestatus"}')).to.equal(2);
  });

  it("names its address in the start-up block", () => {
    const started = t.logs.find((l) => l.msg === "tantale started")!;
    const metrics = (started.enabled as { id: string; endpoints: unknown[] }[]).find((i) => i.id === "metrics")!;
    expect(metrics.endpoints).to.deep.equal([{ role: "listen", address: `http://127.0.0.1:${metricsPort}/metrics`, note: "Prometheus" }]);
  });

  it("answers 404 on any other path", async () => {
    for (const path of ["/", "/metric", "/metrics/x"]) {
      const answer = await get(metricsPort, path);
      expect(answer.status, path).to.equal(404);
    }
    expect((await get(metricsPort, "/metrics?x=1")).status).to.equal(200);
  });
});

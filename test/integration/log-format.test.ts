import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { ForegroundTantale, REPO_ROOT, TANTALE_BIN } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";
import { tantaleVersion } from "../../core/tantale-version";

const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === "object";
  } catch {
    return false;
  }
};

/** Resolves once the daemon's stderr has a line matching `re` (pretty lines are not parsed into t.logs). */
function waitForText(t: ForegroundTantale, re: RegExp, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${String(re)} in ${timeoutMs} ms:\n${t.stderrText.join("\n")}`)), timeoutMs);
    const check = () => {
      if (t.stderrText.some((l) => re.test(l))) {
        clearTimeout(timer);
        t.child.stderr!.off("data", check);
        resolve();
      }
    };
    t.child.stderr!.on("data", check);
    check();
  });
}

describe("the daemon's log: JSON lines, or readable ones", () => {
  const running: ForegroundTantale[] = [];
  afterEach(async () => {
    for (const t of running.splice(0)) await t.kill();
  });
  after(cleanupTempDirs);

  it("writes JSON lines to a pipe by default, and says in one start-up line what runs and where it listens", async () => {
    const conf = makeConfDir(portZeroConf());
    const data = makeTempDir();
    const { t, ports } = await startDaemon(conf, data);
    running.push(t);
    expect(t.stderrText.length).to.be.above(0);
    expect(t.stderrText.filter((l) => !isJson(l))).to.deep.equal([]);
    const started = t.logs.find((l) => l.msg === "tantale started")!;
    expect(started).to.deep.include({ version: tantaleVersion(), conf_dir: conf, data_dir: data, store: "sqlite" });
    const enabled = started.enabled as { id: string; kind: string; endpoints: { role: string; address: string }[] }[];
    expect(started.instances).to.equal(enabled.length);
    const byId = new Map(enabled.map((i) => [i.id, i]));
    // The bound ports, not the configured 0.
    expect(byId.get("line")!.endpoints).to.deep.equal([{ role: "listen", address: `127.0.0.1:${ports.line}`, note: "JSON and Nagios lines" }]);
    expect(byId.get("livestatus")!.endpoints).to.deep.equal([{ role: "listen", address: `127.0.0.1:${ports.livestatus}` }]);
    expect(byId.get("sqlite")!.endpoints).to.deep.equal([{ role: "write", address: path.join(data, "tantale.db") }]);
    expect(byId.get("hosts")).to.deep.include({ kind: "table", endpoints: [] });
  });

  it("lists in the start-up line the FIFOs read, the files written, the servers sent to and a second listener", async () => {
    const conf = makeConfDir({
      ...portZeroConf(),
      "nagios.conf": "path = nagios.cmd\n",
      "diamond.conf": "path = diamond.fifo\nport = 0\n\n[check load]\nexpression = {loadavg.05}\nthresholds = , , 4, 8\n",
      "archive.conf": "plugin = file\npath = archive/results.jsonl\n",
      "forwarder.conf": "servers = 127.0.0.1:9, [::1]:9\n",
    });
    const data = makeTempDir();
    const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
    running.push(t);
    const started = await t.waitForMessage("tantale started", 30_000);
    const graphite = t.logs.find((l) => l.instance === "diamond" && typeof l.port === "number")!;
    const endpoints = Object.fromEntries((started.enabled as { id: string; endpoints: unknown[] }[]).map((i) => [i.id, i.endpoints]));
    expect(endpoints.nagios).to.deep.equal([{ role: "read", address: path.join(data, "nagios.cmd"), note: "Nagios command FIFO" }]);
    expect(endpoints.diamond).to.deep.equal([
      { role: "read", address: path.join(data, "diamond.fifo"), note: "Graphite lines FIFO" },
      { role: "listen", address: `127.0.0.1:${String(graphite.port)}`, note: "Graphite lines" },
    ]);
    expect(endpoints.archive).to.deep.equal([{ role: "write", address: path.join(data, "archive", "results.jsonl") }]);
    expect(endpoints.forwarder).to.deep.equal([
      { role: "send", address: "127.0.0.1:9", note: "first" },
      { role: "send", address: "[::1]:9", note: "fail-over" },
      { role: "write", address: path.join(data, "spool", "forwarder"), note: "spool" },
    ]);
  });

  for (const [how, args, tantaleConf] of [
    ["--log-format pretty", ["--log-format", "pretty"], undefined],
    ["log_format = pretty in tantale.conf", [], "log_format = pretty\n"],
  ] as const) {
    it(`writes readable lines with ${how}, the start-up line as a block`, async () => {
      const conf = makeConfDir(portZeroConf(tantaleConf === undefined ? {} : { tantale: tantaleConf }));
      const data = makeTempDir();
      const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data, ...args]);
      running.push(t);
      await waitForText(t, /^ {2}tables {4}/);
      const text = t.stderrText;
      expect(text.filter(isJson), "no JSON line").to.deep.equal([]);
      expect(
        text.some((l) =>
          /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: \[line\] listening on 127\.0\.0\.1:\d+ \{"bind":"127\.0\.0\.1","port":\d+\}$/.test(l),
        ),
      ).to.equal(true);
      const head = text.findIndex((l) => l.includes(`INFO: tantale ${tantaleVersion()} started: conf dir ${conf}, data dir ${data}`));
      expect(head, text.join("\n")).to.be.at.least(0);
      const block = text.slice(head + 1, head + 5);
      expect(block[0]).to.equal(`  store     sqlite: writes ${path.join(data, "tantale.db")}`);
      expect(block[1]).to.match(/^ {2}listener {2}livestatus: listens on 127\.0\.0\.1:[1-9]\d*$/);
      expect(block[2]).to.match(/^ {2}input {5}line: listens on 127\.0\.0\.1:[1-9]\d* \(JSON and Nagios lines\)$/);
      expect(block[3]).to.match(/^ {2}tables {4}hosts, services, .* \(\d+\)$/);
      t.signal("SIGTERM");
      expect(await t.exit()).to.equal(0);
      expect(t.stderrText.at(-1)).to.match(/INFO: tantale stopped \{"drained":true\}$/);
    });
  }

  it("takes --log-format json over log_format = pretty", async () => {
    const t = ForegroundTantale.start([
      "--conf-dir",
      makeConfDir(portZeroConf({ tantale: "log_format = pretty\n" })),
      "--data-dir",
      makeTempDir(),
      "--log-format",
      "json",
    ]);
    running.push(t);
    await t.waitForMessage("tantale started", 30_000);
    expect(t.stderrText.filter((l) => !isJson(l))).to.deep.equal([]);
  });

  it("writes its last pretty lines before a failed start exits", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const t = ForegroundTantale.start([
        "--conf-dir",
        makeConfDir({ ...portZeroConf(), "line.conf": `port = ${port}\n` }),
        "--data-dir",
        makeTempDir(),
        "--log-format",
        "pretty",
      ]);
      running.push(t);
      expect(await t.exit()).to.equal(1);
      expect(t.stderrText.join("\n"))
        .to.contain("FATAL: not started: nothing runs")
        .and.contain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      busy.close();
    }
  });

  it("is readable on a terminal with no option (auto), in colour", async function () {
    if (spawnSync("script", ["--version"]).status !== 0) this.skip(); // util-linux's script gives the daemon a terminal
    const conf = makeConfDir(portZeroConf());
    const command = [process.execPath, TANTALE_BIN, "--foreground", "--conf-dir", conf, "--data-dir", makeTempDir()].map((a) => `'${a}'`).join(" ");
    // script runs the command on a new pseudo-terminal (stdout and stderr) and copies what it writes to its stdout.
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "ignore"], detached: true });
    let out = "";
    child.stdout.setEncoding("utf8");
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up block in 30 s:\n${out}`)), 30_000);
        child.stdout.on("data", (chunk: string) => {
          out += chunk;
          if (/ {2}tables {4}/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
    const plain = out.replace(/\x1b\[[0-9;]*m/g, ""); // ANSI colours
    expect(out, "colours on a terminal").to.contain("\x1b[");
    expect(plain).to.contain(`tantale ${tantaleVersion()} started: conf dir ${conf}`);
    expect(plain.split(/\r?\n/).filter((l) => l.startsWith("{"))).to.deep.equal([]);
  });
});

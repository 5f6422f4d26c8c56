import path from "node:path";
import { expect } from "chai";
import { runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir } from "../helpers/temp-dir";

/**
 * Every value a plugin or the daemon used to refuse only at start (or not at all, and then
 * misbehaved) is refused by `tantale check-config`, naming file, line and key: the ranges
 * and checks live in the schemas. One run of the real CLI over a conf dir holding every case
 * (a file per plugin case, the daemon's cases one per line of tantale.conf), then a test per
 * case that its own problem is reported: one run also shows that every problem is said at once.
 */
interface Case {
  /** The plugin, or "tantale" for the daemon's settings. */
  readonly plugin: string;
  readonly key: string;
  readonly value: string;
  readonly message: string;
}

const CASES: readonly Case[] = [
  // The daemon's own settings.
  { plugin: "tantale", key: "queue_size", value: "0", message: "must be at least 1, got 0" },
  { plugin: "tantale", key: "state_batch_size", value: "0", message: "must be at least 1, got 0" },
  { plugin: "tantale", key: "start_timeout", value: "0", message: "must be at least 1s, got 0ms" },
  { plugin: "tantale", key: "freshness_factor", value: "0.5", message: "must be at least 1, got 0.5" },
  { plugin: "tantale", key: "freshness_check_interval", value: "0", message: "must be at least 100ms, got 0ms" },
  // Every output's batching.
  { plugin: "file", key: "batch_size", value: "0", message: "must be at least 1, got 0" },
  { plugin: "file", key: "path", value: '""', message: "must name the file to append to" },
  // line input.
  { plugin: "line", key: "max_line_bytes", value: "0", message: "must be at least 1 byte, got 0 bytes" },
  { plugin: "line", key: "max_connections", value: "-1", message: "must be at least 0, got -1" },
  { plugin: "line", key: "max_connections_per_peer", value: "-1", message: "must be at least 0, got -1" },
  { plugin: "line", key: "auth_max_failures", value: "-1", message: "must be at least 0, got -1" },
  { plugin: "line", key: "allow", value: "127.0.0.1, 10.0.0.0/33", message: '"10.0.0.0/33" has a bad prefix length' },
  { plugin: "line", key: "allow", value: "web1", message: '"web1" is not an IP address or CIDR' },
  { plugin: "line", key: "port", value: "70000", message: "must be a TCP port, a whole number from 0 to 65535" },
  // livestatus listener.
  { plugin: "livestatus", key: "max_request_bytes", value: "0", message: "must be at least 1 byte, got 0 bytes" },
  { plugin: "livestatus", key: "answer_memory", value: "0", message: "must be at least 1 byte, got 0 bytes" },
  { plugin: "livestatus", key: "max_connections", value: "-1", message: "must be at least 0, got -1" },
  { plugin: "livestatus", key: "max_connections_per_peer", value: "-1", message: "must be at least 0, got -1" },
  { plugin: "livestatus", key: "mode", value: "rw-rw----", message: 'must be 3 or 4 octal digits such as 0660, got "rw-rw----"' },
  { plugin: "livestatus", key: "commands", value: "gui, PROCES_*", message: '"PROCES_*" is no group' },
  { plugin: "livestatus", key: "port", value: "65536", message: "must be a TCP port, a whole number from 0 to 65535" },
  // sqlite store.
  { plugin: "sqlite", key: "log_retention_days", value: "-1", message: "must be at least 0, got -1" },
  { plugin: "sqlite", key: "path", value: '""', message: "must name the database file" },
  // internal input.
  { plugin: "internal", key: "interval", value: "0", message: "must be at least 1s, got 0ms" },
  { plugin: "internal", key: "hostname", value: "mon;1", message: 'must not contain ";"' },
  { plugin: "internal", key: "check", value: '""', message: "must not be empty" },
  // log table.
  { plugin: "log", key: "max_rows", value: "0", message: "must be at least 1, got 0" },
];

const DAEMON_CASES = CASES.filter((c) => c.plugin === "tantale");

/** Where each case's value is written: its own file (`plugin = ...` on line 1), or its line of tantale.conf. */
function placeOf(c: Case, i: number): { file: string; line: number } {
  if (c.plugin === "tantale") return { file: "tantale.conf", line: DAEMON_CASES.indexOf(c) + 1 };
  return { file: `case-${i}.conf`, line: 2 };
}

describe("tantale check-config refuses out-of-range and malformed options", function () {
  this.timeout(60_000);
  let conf: string;
  let refused: { status: number | null; stderr: string };
  before(() => {
    const files: Record<string, string> = { "tantale.conf": DAEMON_CASES.map((c) => `${c.key} = ${c.value}\n`).join("") };
    CASES.forEach((c, i) => {
      if (c.plugin !== "tantale") files[placeOf(c, i).file] = `plugin = ${c.plugin}\n${c.key} = ${c.value}\n`;
    });
    conf = makeConfDir(files);
    refused = runTantale(["check-config", "--conf-dir", conf]);
  });
  after(cleanupTempDirs);

  it("exits 1 and counts one problem per case", () => {
    expect(refused.status, refused.stderr).to.equal(1);
    expect(refused.stderr).to.contain(`configuration refused: ${CASES.length} problem(s)`);
  });

  CASES.forEach((c, i) => {
    it(`${c.plugin}: ${c.key} = ${c.value}`, () => {
      const { file, line } = placeOf(c, i);
      expect(refused.stderr).to.contain(`${path.join(conf, file)}:${line}: ${c.key}: ${c.message}`);
    });
  });

  it("accepts the bounds themselves", () => {
    const ok = makeConfDir({
      "tantale.conf": "queue_size = 1\nstate_batch_size = 1\nstart_timeout = 1s\nfreshness_factor = 1\nfreshness_check_interval = 100ms\n",
      "file.conf": "batch_size = 1\n",
      "line.conf":
        "port = 0\nmax_line_bytes = 1\nmax_connections = 0\nmax_connections_per_peer = 0\nauth_max_failures = 0\nallow = 10.0.0.0/32, ::1, fe80::/10\n",
      "livestatus.conf":
        "port = 65535\nmax_request_bytes = 1\nanswer_memory = 1\nmax_connections = 0\nmax_connections_per_peer = 0\nmode = 600\ncommands = gui, PROCESS_*\n",
      "sqlite.conf": "log_retention_days = 0\n",
      "internal.conf": "interval = 1s\nhostname = mon1\n",
      "log.conf": "max_rows = 1\n",
    });
    const r = runTantale(["check-config", "--conf-dir", ok]);
    expect(r.status, r.stderr).to.equal(0);
  });
});

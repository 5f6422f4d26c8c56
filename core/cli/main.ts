import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { loadConfiguration, type LoadOptions } from "../config/load-config";
import { DAEMON_SCHEMA, commonSchemaFor, type DaemonSettings } from "../config/common-schema";
import { ConfigError, describeError } from "../errors";
import { LOG_LEVELS, type LogLevel } from "../log/logger";
import { LOG_FORMAT_SETTINGS, type LogFormatSetting } from "../log/pretty";
import { describeSource, type AnyPluginDefinition, type PluginSource } from "../plugin/api";
import { NpmPluginLoader } from "../plugin/npm-plugins";
import { installRoot } from "../plugin/peer-resolution";
import { startDetached } from "../daemon/detach";
import { holderOf, pidFileHolder, readPidRecord, type PidHolder } from "../daemon/pid-file";
import { runDaemon } from "../daemon/run";
import { tuneDaemonHeap } from "../daemon/heap-tuning";
import { backupCommand } from "./backup";
import { writeDump } from "./dump";
import { ReaderGoneError, backpressuredWriter } from "./stream-out";
import { NEW_PLUGIN_KINDS, NewPluginError, writePluginPackage } from "./new-plugin";
import { optionRows } from "./options-table";

interface PathOptions {
  confDir: string;
  dataDir: string;
  pidFile?: string;
  logFile?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormatSetting;
  pluginDir?: string;
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** The `tantale` command. `builtIns` is the static plugin list, handed in by bin/tantale so that core names no plugin. */
export async function main(builtIns: readonly AnyPluginDefinition[], argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const version = (JSON.parse(fs.readFileSync(path.join(installRoot(), "package.json"), "utf8")) as { version: string }).version;
  const program = new Command("tantale")
    .description("Stores passive check results and serves them over the Livestatus protocol.")
    .version(version)
    .showHelpAfterError()
    .enablePositionalOptions();

  withPaths(program)
    .option("--foreground", "run attached to the terminal, logging to stderr")
    .option("--log-file <file>", "log file in daemon mode (default: DATA_DIR/tantale.log)")
    .addOption(
      new Option("--log-format <format>", "json, pretty (readable), or auto: pretty on a terminal (overrides log_format of tantale.conf)").choices(
        LOG_FORMAT_SETTINGS,
      ),
    )
    .addOption(new Option("--daemonized", "internal: started by the daemon mode").hideHelp())
    // Taken here rather than refused by commander, whose "too many arguments" hides a mistyped command.
    .allowExcessArguments()
    .action(async (o: PathOptions & { foreground?: boolean; daemonized?: boolean }, cmd: Command) => {
      const [word] = cmd.args;
      if (word !== undefined) {
        err(`tantale: unknown command "${word}" (commands: ${program.commands.map((c) => c.name()).join(", ")}; see tantale --help)`);
        exitCode = 1;
        return;
      }
      exitCode = o.foreground === true ? await runAttached(builtIns, o) : await runDetached(builtIns, o);
    });

  withPaths(program.command("stop").description("stop the daemon of the pid file and wait until it is gone"))
    .option("--timeout <seconds>", "how long to wait", "60")
    .action(async (o: PathOptions & { timeout: string }) => {
      exitCode = await stop(pidFileOf(o), Number(o.timeout) * 1000);
    });

  withPaths(program.command("status").description("tell whether the daemon of the pid file runs (exit 0) or not (exit 3)")).action((o: PathOptions) => {
    const file = pidFileOf(o);
    const holder = pidFileHolder(file);
    if (holder.state === "running") out(`tantale is running (pid ${holder.pid})`);
    else if (holder.state === "unverified") out(`tantale status unknown: ${unverifiedHolder(file, holder.pid)}`);
    else out(`tantale is not running${fs.existsSync(file) ? ` (stale pid file ${file})` : ""}`);
    // LSB status codes: 0 running, 3 not running, 4 unknown.
    exitCode = holder.state === "running" ? 0 : holder.state === "none" ? 3 : 4;
  });

  withPaths(program.command("check-config").description("validate the conf dir and list the instances it would start; exit 1 on any error")).action(
    async (o: PathOptions) => {
      exitCode = await checkConfig(builtIns, o);
    },
  );

  withPaths(program.command("plugins").description("list the built-in and installed npm plugins with their options")).action(async (o: PathOptions) => {
    exitCode = await listPlugins(builtIns, o);
  });

  withPaths(program.command("dump").description("print the state committed to the store as JSON lines (works while the daemon runs)"))
    .option("--host <name>", "only this host and its services")
    .action(async (o: PathOptions & { host?: string }) => {
      exitCode = await dump(builtIns, o);
    });

  withPaths(program.command("backup <file>").description("copy the store to FILE, consistent, while the daemon runs (SQLite's online backup)")).action(
    async (file: string, o: PathOptions) => {
      exitCode = await backupCommand(() => loadConfiguration(loadOptions(builtIns, o)), path.resolve(o.dataDir), file);
    },
  );

  program
    .command("new-plugin <name>")
    .description("write a ready plugin package tantale-plugin-<name>: schema, class, README, example conf, a test")
    .addOption(new Option("--kind <kind>", "what the plugin is").choices(NEW_PLUGIN_KINDS).makeOptionMandatory())
    .option("--dir <dir>", "where to write it (default: ./tantale-plugin-<name>)")
    .action((name: string, o: { kind: string; dir?: string }) => {
      try {
        const { dir, files } = writePluginPackage({ name, kind: o.kind, dir: o.dir, cwd: process.cwd() });
        out(`wrote ${dir}: ${files.join(", ")}\nnext: cd ${path.relative(process.cwd(), dir) || "."} && npm install --ignore-scripts && npm test`);
      } catch (e) {
        if (!(e instanceof NewPluginError)) throw e;
        err(`tantale new-plugin: ${e.message}`);
        exitCode = 1;
      }
    });

  await program.parseAsync([...argv]);
  return exitCode;
}

function withPaths(cmd: Command): Command {
  return cmd
    .option("--conf-dir <dir>", "folder of *.conf files, one per plugin instance", "./conf.d")
    .option("--data-dir <dir>", "folder for the store, the pid file and the daemon's log", "./data")
    .option("--pid-file <file>", "pid file (default: DATA_DIR/tantale.pid)")
    .option("--plugin-dir <dir>", "folder whose node_modules holds npm plugins (overrides plugin_dir of tantale.conf)")
    .addOption(new Option("--log-level <level>", "overrides log_level of tantale.conf").choices(LOG_LEVELS));
}

function pidFileOf(o: PathOptions): string {
  return path.resolve(o.pidFile ?? path.join(o.dataDir, "tantale.pid"));
}

function loadOptions(builtIns: readonly AnyPluginDefinition[], o: PathOptions): LoadOptions {
  const overrides: Partial<{ -readonly [K in keyof DaemonSettings]: DaemonSettings[K] }> = {};
  if (o.logLevel !== undefined) overrides.log_level = o.logLevel;
  if (o.logFormat !== undefined) overrides.log_format = o.logFormat;
  if (o.pluginDir !== undefined) overrides.plugin_dir = path.resolve(o.pluginDir);
  return { confDir: path.resolve(o.confDir), builtIns, overrides };
}

function runAttached(builtIns: readonly AnyPluginDefinition[], o: PathOptions & { daemonized?: boolean }): Promise<number> {
  tuneDaemonHeap();
  return runDaemon({
    load: loadOptions(builtIns, o),
    dataDir: path.resolve(o.dataDir),
    pidFile: pidFileOf(o),
    logFile: o.logFile === undefined ? undefined : path.resolve(o.logFile),
    notifyParent: o.daemonized === true,
  });
}

async function runDetached(builtIns: readonly AnyPluginDefinition[], o: PathOptions): Promise<number> {
  // Refuse what the child would refuse while the user still has a terminal to read it on.
  try {
    await loadConfiguration(loadOptions(builtIns, o));
  } catch (e) {
    err(e instanceof ConfigError ? `tantale: configuration refused:\n${e.message}` : `tantale: ${describeError(e)}`);
    return 1;
  }
  const pidFile = pidFileOf(o);
  const holder = pidFileHolder(pidFile);
  if (holder.state !== "none") {
    err(`tantale: ${holder.state === "running" ? `already running as pid ${holder.pid} (pid file ${pidFile})` : unverifiedHolder(pidFile, holder.pid)}`);
    return 1;
  }
  const dataDir = path.resolve(o.dataDir);
  const logFile = path.resolve(o.logFile ?? path.join(dataDir, "tantale.log"));
  const args = ["--foreground", "--daemonized", "--conf-dir", path.resolve(o.confDir), "--data-dir", dataDir, "--pid-file", pidFile, "--log-file", logFile];
  if (o.pluginDir !== undefined) args.push("--plugin-dir", path.resolve(o.pluginDir));
  if (o.logLevel !== undefined) args.push("--log-level", o.logLevel);
  if (o.logFormat !== undefined) args.push("--log-format", o.logFormat);
  const report = await startDetached(process.argv[1]!, args, 120_000);
  if (report.type === "error") {
    err(`tantale: not started: ${report.message} (log: ${logFile})`);
    return 1;
  }
  out(`tantale started (pid ${report.pid}, log ${logFile})`);
  return 0;
}

/** Why a live process named by the pid file is neither signalled nor replaced. */
function unverifiedHolder(pidFile: string, pid: number): string {
  return `pid file ${pidFile} names live process ${pid}, which this system cannot tell apart from a running tantale (remove the file if it is not one)`;
}

/** SIGTERM only to the process that wrote the pid file: its pid may belong to another program since a crash. */
async function stop(pidFile: string, timeoutMs: number): Promise<number> {
  const record = readPidRecord(pidFile);
  const holder: PidHolder = holderOf(record);
  if (holder.state === "unverified") {
    err(`tantale: not signalled: ${unverifiedHolder(pidFile, holder.pid)}`);
    return 1;
  }
  if (holder.state === "none" || record === undefined) {
    out(`tantale is not running${fs.existsSync(pidFile) ? ` (stale pid file ${pidFile})` : ""}`);
    return 0;
  }
  const pid = holder.pid;
  process.kill(pid, "SIGTERM");
  const until = Date.now() + timeoutMs;
  while (holderOf(record).state === "running") {
    if (Date.now() > until) {
      err(`tantale (pid ${pid}) still runs after ${timeoutMs / 1000} s`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  out(`tantale stopped (pid ${pid})`);
  return 0;
}

async function dump(builtIns: readonly AnyPluginDefinition[], o: PathOptions & { host?: string }): Promise<number> {
  try {
    const config = await loadConfiguration(loadOptions(builtIns, o));
    await writeDump(config, path.resolve(o.dataDir), o.host, backpressuredWriter(process.stdout));
    return 0;
  } catch (e) {
    if (e instanceof ReaderGoneError) return 0; // `tantale dump | head`: the reader had enough
    err(`tantale: ${describeError(e)}`);
    return 1;
  }
}

async function checkConfig(builtIns: readonly AnyPluginDefinition[], o: PathOptions): Promise<number> {
  try {
    const config = await loadConfiguration(loadOptions(builtIns, o));
    const rows = config.instances.map((s) => [s.id, s.plugin.definition.name, s.plugin.definition.kind, npmLabel(s.plugin.source)]);
    out(table([["INSTANCE", "PLUGIN", "KIND", "SOURCE"], ...rows]));
    for (const id of config.disabled) out(`(disabled: ${id})`);
    out(`configuration OK: ${config.instances.length} instance(s)`);
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(e.message);
    err(`configuration refused: ${e.problems.length} problem(s)`);
    return 1;
  }
}

async function listPlugins(builtIns: readonly AnyPluginDefinition[], o: PathOptions): Promise<number> {
  out(`tantale.conf (daemon settings)\n${optionsTable(DAEMON_SCHEMA)}\n`);
  const show = (def: AnyPluginDefinition, source: string) => {
    out(`${def.name} (${def.kind}, ${source}): ${def.description}`);
    out(`${optionsTable({ ...def.schema, ...commonSchemaFor(def.kind) })}\n`);
  };
  for (const def of builtIns) show(def, "built-in");
  const dirs = o.pluginDir === undefined ? [] : [path.resolve(o.pluginDir)];
  const loader = new NpmPluginLoader(dirs);
  for (const { package: pkg } of loader.installed()) {
    try {
      const { definition, source } = await loader.load(pkg);
      show(definition, npmLabel(source));
    } catch (e) {
      out(`${pkg}: not loadable: ${describeError(e)}\n`);
    }
  }
  return 0;
}

/** `npm pkg@version` or `built-in`, for the listings. */
function npmLabel(source: PluginSource): string {
  return source.type === "npm" ? `npm ${describeSource(source)}` : describeSource(source);
}

function optionsTable(schema: Parameters<typeof optionRows>[0]): string {
  return table([
    ["  OPTION", "DEFAULT", "FORMAT", "DESCRIPTION"],
    ...optionRows(schema).map((r) => [`  ${r.key}`, r.default, r.range === "" ? r.format : `${r.format}, ${r.range}`, r.doc]),
  ]);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

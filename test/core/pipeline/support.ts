import { logCall, type LogArgs, type LogFields, type Logger, type LogLevel, type LogMethod } from "../../../core/log/logger";
import type { CheckResult } from "../../../core/model/check-result";
import type { OutputPlugin } from "../../../core/plugin/api";

/** A frozen check result numbered `n` (hostname `host-n`). */
export function result(n: number): CheckResult {
  return Object.freeze({
    hostname: `host-${n}`,
    check: "check",
    status: 0,
    output: `result ${n}`,
    longOutput: "",
    perfData: "",
    timestamp: 1_700_000_000 + n,
    interval: 60,
    contacts: Object.freeze([]),
    hostgroups: Object.freeze([]),
    servicegroups: Object.freeze([]),
    customVariables: Object.freeze({}),
  });
}

export function results(n: number, from = 0): CheckResult[] {
  return Array.from({ length: n }, (_, i) => result(from + i));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `predicate` holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 900): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await sleep(2);
  }
}

/** Lets pending immediates and microtasks run (a few turns of the event loop). */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
  readonly bindings: LogFields;
}

/** A logger that keeps every line (its children share the list and carry their bindings). */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    readonly bindings: LogFields = {},
    readonly level?: LogLevel,
  ) {}
  private add(level: LogLevel, args: LogArgs): void {
    this.entries.push({ level, ...logCall(args), bindings: this.bindings });
  }
  readonly trace: LogMethod = (...args: LogArgs) => this.add("trace", args);
  readonly debug: LogMethod = (...args: LogArgs) => this.add("debug", args);
  readonly info: LogMethod = (...args: LogArgs) => this.add("info", args);
  readonly warn: LogMethod = (...args: LogArgs) => this.add("warn", args);
  readonly error: LogMethod = (...args: LogArgs) => this.add("error", args);
  readonly fatal: LogMethod = (...args: LogArgs) => this.add("fatal", args);
  child(bindings: LogFields, level?: LogLevel): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings }, level);
  }
  isLevelEnabled(): boolean {
    return true;
  }
  messages(level?: LogLevel): string[] {
    return this.entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg);
  }
}

/**
 * An output that records every call of write(): the batch, when it started, and whether it
 * succeeded. It can fail its first `failures` writes (or the attempts numbered in
 * `failAttempts`, from 1), take `delayMs` per write, and counts
 * the writes in flight at the same time.
 */
export class RecordingOutput implements OutputPlugin {
  readonly attempts: { batch: readonly CheckResult[]; at: number; ok: boolean }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  started = 0;
  stopped = 0;

  constructor(private readonly options: { failures?: number; failAttempts?: readonly number[]; delayMs?: number; failAlways?: boolean } = {}) {}

  async start(): Promise<void> {
    this.started++;
  }

  async stop(): Promise<void> {
    this.stopped++;
  }

  async write(batch: readonly CheckResult[]): Promise<void> {
    const attempt = { batch: [...batch], at: performance.now(), ok: false };
    this.attempts.push(attempt);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.options.delayMs !== undefined) await sleep(this.options.delayMs);
      const n = this.attempts.indexOf(attempt) + 1;
      const failed = n <= (this.options.failures ?? 0) || (this.options.failAttempts ?? []).includes(n);
      if (failed || this.options.failAlways === true) throw new Error(`write ${n} failed`);
      attempt.ok = true;
    } finally {
      this.inFlight--;
    }
  }

  /** The batches that were written successfully. */
  get batches(): (readonly CheckResult[])[] {
    return this.attempts.filter((a) => a.ok).map((a) => a.batch);
  }

  /** Every result written successfully, in write order. */
  get written(): CheckResult[] {
    return this.batches.flat();
  }
}

/** An output whose writes wait until the test releases them, one at a time. */
export class GatedOutput implements OutputPlugin {
  readonly calls: (readonly CheckResult[])[] = [];
  private readonly gates: (() => void)[] = [];
  written: CheckResult[] = [];

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  write(batch: readonly CheckResult[]): Promise<void> {
    this.calls.push([...batch]);
    return new Promise((resolve) =>
      this.gates.push(() => {
        this.written.push(...batch);
        resolve();
      }),
    );
  }

  get pending(): number {
    return this.gates.length;
  }

  release(): void {
    const gate = this.gates.shift();
    if (gate === undefined) throw new Error("no write is waiting");
    gate();
  }
}

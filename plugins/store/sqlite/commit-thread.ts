import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import type { ChangeSet } from "../../../core/state/change-set";
import { commentParams, downtimeParams } from "./rows";
import { packChecks, packLog, transferList } from "./packed-changes";
import type { CommitTail, FromWriter, ToWriter, WriterError, WriterOptions } from "./writer-messages";

/**
 * Check rows packed per loop turn: about a millisecond of work each, so that a 20,000-row
 * commit never holds a Livestatus answer behind it for more than that.
 */
export const PACK_CHUNK = 2000;

/**
 * The writer's young generation: 6 MiB is 2 MiB semi-spaces, where V8's default grows them to
 * 16 MiB. The rows of a commit are short-lived: a larger one only kept 20 MiB more RSS after a burst.
 */
export const WRITER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 6 } as const;

/** The writer's answer to one request. */
export type Done = Extract<FromWriter, { type: "done" }>;

interface Waiter {
  readonly resolve: (d: Done) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The main thread's side of the writer thread (commit-worker.ts): hands it each change set
 * packed (packed-changes.ts) and resolves once the writer has committed it. A writer that
 * dies (a crash of the thread, `terminate()`) fails what it was asked and is started again
 * at the next request: the engine rolls the failed commits back and the bus retries them.
 */
export class CommitThread {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  /** The messages of one commit go out together: a second commit's chunks wait for the first's. */
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly options: WriterOptions,
    /** Told when the thread exits without being asked to (the next request starts another). */
    private readonly onDeath: (err: Error) => void,
  ) {}

  /** The running thread (tests terminate it to see a writer die). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  /** Starts the thread and waits until its connection is open. */
  async start(): Promise<void> {
    this.closed = false;
    await this.running();
  }

  /** Commits a change set in one transaction of the writer; `counters` are the id counters to write. */
  commit(changes: ChangeSet, counters: readonly (readonly [string, number])[]): Promise<Done> {
    const tail: Omit<CommitTail, "log"> = {
      deletes: changes.deletes.map((k) => [k.hostname, k.check] as const),
      downtimes: changes.downtimes.upserts.map(downtimeParams),
      downtimeDeletes: changes.downtimes.deletes,
      comments: changes.comments.upserts.map(commentParams),
      commentDeletes: changes.comments.deletes,
      counters,
    };
    return this.request(async (w, id) => {
      const ups = changes.upserts;
      for (let i = 0; i < ups.length; i += PACK_CHUNK) {
        if (i > 0) await nextTurn();
        const rows = packChecks(ups, i, Math.min(ups.length, i + PACK_CHUNK));
        w.postMessage({ type: "rows", id, rows } satisfies ToWriter, transferList(rows));
      }
      const log = packLog(changes.log);
      w.postMessage({ type: "commit", id, ...tail, log } satisfies ToWriter, transferList(log));
    });
  }

  /** Deletes the log rows older than `before` (seconds); resolves with how many. */
  expire(before: number): Promise<Done> {
    return this.request((w, id) => w.postMessage({ type: "expire", id, before } satisfies ToWriter));
  }

  /** Waits for the requests sent, closes the writer's connection (checkpointing the WAL) and ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.worker === undefined && this.waiting.size === 0) return;
    let exited: Promise<void> = Promise.resolve();
    await this.request((w, id) => {
      exited = new Promise<void>((resolve) => w.once("exit", () => resolve()));
      w.postMessage({ type: "close", id } satisfies ToWriter);
    }, true).catch((err: unknown) => {
      throw new Error(`closing the writer thread failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    await exited;
  }

  /**
   * Sends one request (`send` posts its messages, maybe over several turns) after those
   * already sent, and waits for its answer. Rejects if the writer fails it or dies first.
   */
  private async request(send: (w: Worker, id: number) => void | Promise<void>, closing = false): Promise<Done> {
    // Requests made before close() still go (close waits for them), later ones are refused.
    if (this.closed && !closing) throw new Error("the writer thread is closed");
    const previous = this.sending;
    let sent!: () => void;
    this.sending = new Promise<void>((resolve) => (sent = resolve));
    try {
      await previous;
      const w = await this.running();
      const id = this.nextId++;
      const answer = new Promise<Done>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
      // A thread that dies while this request is still being sent rejects it before it is awaited.
      answer.catch(() => undefined);
      if (this.waiting.size === 1) w.ref(); // a commit in flight keeps the process alive
      await send(w, id);
      sent();
      const done = await answer;
      if (done.error !== undefined) throw writerError(done.error);
      return done;
    } finally {
      sent();
    }
  }

  /** The thread, started if it is not running (first use, or after it died). */
  private running(): Promise<Worker> {
    if (this.worker !== undefined) return Promise.resolve(this.worker);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const w = new Worker(path.join(__dirname, "commit-worker.js"), { workerData: this.options, resourceLimits: WRITER_RESOURCE_LIMITS });
      let ready = false;
      let failure: Error | undefined;
      w.on("message", (m: FromWriter) => {
        if (m.type === "ready") {
          ready = true;
          this.worker = w;
          w.unref(); // idle: the process may exit; request() refs it while a commit is in flight
          resolve(w);
        } else if (m.type === "failed") {
          failure = writerError(m.error);
          void w.terminate();
        } else {
          const waiter = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          // Idle: the process may exit; not once closing, as close() still waits for the thread's exit.
          if (this.waiting.size === 0 && !this.closed) w.unref();
          waiter?.resolve(m);
        }
      });
      w.on("error", (err) => (failure = err));
      w.on("exit", (code) => {
        if (this.worker === w) this.worker = undefined;
        const err = failure ?? new Error(`the writer thread exited (code ${code})`);
        if (!ready) {
          reject(err);
          return;
        }
        const lost = [...this.waiting.values()];
        this.waiting.clear();
        for (const waiter of lost) waiter.reject(new Error(`the writer thread exited before answering: ${err.message}`, { cause: err }));
        if (!this.closed) this.onDeath(err);
      });
    });
  }
}

/** The writer's error again as SQLite's error (its code is what SqliteStoreError and the retries look at). */
function writerError(e: WriterError): Error {
  return e.code === undefined ? new Error(e.message) : new Database.SqliteError(e.message, e.code);
}

import type { WireRows } from "./packed-changes";

/** What the writer thread opens (workerData). */
export interface WriterOptions {
  readonly file: string;
  readonly synchronous: "normal" | "full";
  readonly busyTimeout: number;
}

/** The rest of a change set, after its check rows (sent as "rows" chunks): small, sent as they are. */
export interface CommitTail {
  readonly deletes: readonly (readonly [hostname: string, check: string])[];
  readonly log: WireRows;
  readonly downtimes: readonly (readonly unknown[])[];
  readonly downtimeDeletes: readonly number[];
  readonly comments: readonly (readonly unknown[])[];
  readonly commentDeletes: readonly number[];
  readonly counters: readonly (readonly [name: string, value: number])[];
}

/** Main thread → writer thread. Messages of one commit arrive in order: its rows, then its "commit". */
export type ToWriter =
  | { readonly type: "rows"; readonly id: number; readonly rows: WireRows }
  | ({ readonly type: "commit"; readonly id: number } & CommitTail)
  | { readonly type: "expire"; readonly id: number; readonly before: number }
  | { readonly type: "close"; readonly id: number };

/** An error as it crosses the thread boundary: SQLite's code kept, so that SQLITE_FULL and SQLITE_BUSY can be told apart. */
export interface WriterError {
  readonly message: string;
  readonly code: string | undefined;
}

/** A WAL checkpoint the writer ran to give space back after SQLITE_FULL (for the main thread's log). */
export interface Checkpoint {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/** Writer thread → main thread: "ready" once, then one "done" per request, in order. */
export type FromWriter =
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly error: WriterError }
  | {
      readonly type: "done";
      readonly id: number;
      /** Log lines added by a commit, rows deleted by an expire. */
      readonly count: number;
      readonly error?: WriterError;
      readonly checkpoint?: Checkpoint | WriterError;
    };

/**
 * Sends bulk operations with the raw `_bulk` API (not the client's bulk helper: it hides the
 * items that succeeded and gives up a whole batch on a connection error) and reads the answer
 * of every item:
 *
 * - 2xx, a delete of a missing document (404), a 409 where it means success: written.
 * - 429, 5xx, a cluster block (403, a read-only index after the disk filled): retried, only
 *   those items (and the later operations on the same documents, to keep their order), after
 *   an exponential backoff with full jitter, a bounded number of times.
 * - anything else (a 400 mapping error, a document too large): refused for good, logged with
 *   the item and counted, reported; the other items are written all the same.
 *
 * When the cluster cannot be reached, or keeps answering 429/5xx past the retries, the write
 * stops with ClusterUnavailableError: the store then spools.
 */
import type { estypes } from "@elastic/elasticsearch";
import { RetryableError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import type { Throttle } from "../../../core/log/throttle";
import type { CheckKey } from "../../../core/state/check-state";
import type { FailedChange } from "../../../core/store/commit-report";
import { backoffDelay, type BackoffPolicy, type Pacing } from "./backoff";
import { chunkOps, type BulkOp } from "./bulk-ops";
import { describeEsError, isRetryableStatus, isUnreachable, responseStatus, type Client } from "./client";

/** The cluster is away (unreachable) or keeps refusing work (429, 5xx): what was not written waits. */
export class ClusterUnavailableError extends RetryableError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`elasticsearch cluster unavailable: ${reason}`, options);
  }
}

export interface WriteOptions {
  readonly flushBytes: number;
  readonly requestTimeout: number;
  /** Backoff of the retries of one write. */
  readonly retry: BackoffPolicy & { readonly attempts: number };
  readonly pacing: Pacing;
  readonly log: Logger;
  /** Limits the lines about refused items (a mapping error repeats on every document). */
  readonly throttle: Throttle;
  readonly signal?: AbortSignal;
}

/** What a write did: its items by outcome, and its requests. */
export interface WriteOutcome {
  readonly written: number;
  /** 409 on a versioned write: a newer document is stored. */
  readonly superseded: number;
  /** The checks among them: another Tantale may have written the newer state (the host moved). */
  readonly supersededChecks: readonly CheckKey[];
  /** 409 on a create: the document is already there (a replay). */
  readonly alreadyWritten: number;
  /** Items retried after a 429/5xx answer (each retry counted). */
  readonly retried: number;
  readonly rejected: readonly FailedChange[];
  readonly requests: number;
  readonly bytes: number;
}

interface Counts {
  written: number;
  superseded: number;
  supersededChecks: CheckKey[];
  alreadyWritten: number;
  retried: number;
  rejected: FailedChange[];
  requests: number;
  bytes: number;
}

/** The item of a bulk answer, under its action's name. */
interface BulkItem {
  readonly status: number;
  readonly result?: string;
  readonly error?: { readonly type?: string; readonly reason?: string | null };
}

export async function writeBulk(client: Client, ops: readonly BulkOp[], options: WriteOptions): Promise<WriteOutcome> {
  const counts: Counts = { written: 0, superseded: 0, supersededChecks: [], alreadyWritten: 0, retried: 0, rejected: [], requests: 0, bytes: 0 };
  for (const chunk of chunkOps(ops, options.flushBytes)) await writeChunk(client, chunk, options, counts);
  return counts;
}

async function writeChunk(client: Client, chunk: readonly BulkOp[], options: WriteOptions, counts: Counts): Promise<void> {
  let pending: readonly BulkOp[] = chunk;
  for (let attempt = 0; ; attempt++) {
    const body = pending.map((o) => o.lines).join("");
    counts.requests++;
    counts.bytes += Buffer.byteLength(body);
    let items: readonly BulkItem[];
    try {
      items = await send(client, body, pending.length, options.requestTimeout);
    } catch (err) {
      if (isUnreachable(err)) throw new ClusterUnavailableError(describeEsError(err), { cause: err });
      const status = responseStatus(err);
      if (status === undefined) throw err;
      if (!isRetryableStatus(status)) {
        // The whole request refused for a reason a retry will not change (413, a 400 on the body): each item is refused.
        const reason = describeEsError(err);
        for (const o of pending) refuse(o, reason, options, counts);
        return;
      }
      await pause(attempt, options, `the cluster answers ${describeEsError(err)}`, err);
      continue;
    }
    const retry = new Set<number>();
    let lastRetryReason = "";
    items.forEach((item, i) => {
      const o = pending[i]!;
      const outcome = classify(o, item);
      if (outcome === "written") counts.written++;
      else if (outcome === "superseded") {
        counts.superseded++;
        if (o.check !== undefined) counts.supersededChecks.push(o.check);
      } else if (outcome === "already-written") counts.alreadyWritten++;
      else if (outcome === "retry") {
        retry.add(i);
        lastRetryReason = `HTTP ${item.status} ${item.error?.type ?? ""}`.trim();
      } else refuse(o, `${item.error?.type ?? `HTTP ${item.status}`}: ${item.error?.reason ?? ""}`, options, counts);
    });
    if (retry.size === 0) return;
    // Later operations on a document whose earlier one is retried go again after it: their order holds.
    const docs = new Set<string>();
    const again: BulkOp[] = [];
    pending.forEach((o, i) => {
      const doc = `${o.index}\u0000${o.id}`;
      if (retry.has(i) || docs.has(doc)) {
        docs.add(doc);
        again.push(o);
      }
    });
    counts.retried += again.length;
    await pause(attempt, options, `${retry.size} items refused with ${lastRetryReason}`);
    pending = again;
  }
}

/** Waits before retry `attempt`, or gives up (ClusterUnavailableError) once the retries are spent. */
async function pause(attempt: number, options: WriteOptions, reason: string, cause?: unknown): Promise<void> {
  if (attempt >= options.retry.attempts) throw new ClusterUnavailableError(`${reason}, still after ${options.retry.attempts} retries`, { cause });
  await options.pacing.sleep(
    backoffDelay(options.retry, attempt, () => options.pacing.random()),
    options.signal,
  );
  if (options.signal?.aborted === true) throw new ClusterUnavailableError(`${reason}; the store stops`, { cause });
}

async function send(client: Client, body: string, expected: number, requestTimeout: number): Promise<readonly BulkItem[]> {
  // The body goes out as serialized here (its size is what flush_bytes bounds); the transport sends a string as it is.
  const answer = await client.bulk({ operations: body as unknown as estypes.BulkRequest["operations"] }, { requestTimeout });
  const items = answer.items.map((entry) => Object.values(entry)[0] as BulkItem | undefined);
  if (items.length !== expected || items.some((i) => i === undefined || typeof i.status !== "number"))
    throw new Error(`bulk answer with ${items.length} items for ${expected} operations`);
  return items as BulkItem[];
}

type ItemOutcome = "written" | "superseded" | "already-written" | "retry" | "refused";

export function classify(o: BulkOp, item: BulkItem): ItemOutcome {
  const { status } = item;
  if (status >= 200 && status < 300) return "written";
  if (status === 404 && o.action === "delete") return "written";
  if (status === 409 && o.conflict !== undefined) return o.conflict;
  if (status === 429 || status >= 500) return "retry";
  // A read-only index (flood-stage disk watermark) clears once the disk has room.
  if (status === 403 && item.error?.type === "cluster_block_exception") return "retry";
  return "refused";
}

function refuse(o: BulkOp, reason: string, options: WriteOptions, counts: Counts): void {
  counts.rejected.push({ part: o.part, key: o.key, reason });
  const t = options.throttle.take(reason.split(":")[0]);
  if (t.log)
    options.log.warn("elasticsearch refused an item for good: it is not stored", {
      part: o.part,
      key: o.key,
      index: o.index,
      id: o.id,
      error: reason,
      ...(t.suppressed > 0 ? { suppressed: t.suppressed } : {}),
    });
}

/**
 * How a rendered answer reaches its client without costing others time or the daemon its
 * memory (the query engine renders it in slices into an AnswerOutput):
 *
 * - An answer that fits the socket buffer (ONE_WRITE_CHARS) is written whole with one
 *   write(), as before: a split answer costs a KeepAlive client a round trip (icinga2 loses
 *   44 ms per query that way).
 * - A larger answer without fixed16 is streamed: its pieces are written while the rest is
 *   rendered, and rendering waits while the client has more than STREAM_WINDOW_CHARS
 *   unread. With fixed16 the length comes first, so the whole body is rendered before a
 *   byte goes out: such large renders take turns (one at a time) and wait while the
 *   answers not yet sent, all connections together, exceed the memory budget. Small
 *   answers never wait.
 * - A client that reads nothing of what it was sent for the write timeout is cut.
 * - A render whose client is gone (the socket closed) stops at its next slice.
 *
 * So the memory held in answers is at most the budget, plus the one large fixed16 answer
 * being rendered, plus a window per connection.
 */
import type net from "node:net";
import type { BodySink } from "../query/query-engine";
import { fixed16Header, frameResponse } from "./response";
import type { SliceTurns } from "../query/work-slicer";

/** An answer up to this many characters goes out with one write(); beyond, in pieces (loopback and LAN socket buffers are about this large). */
export const ONE_WRITE_CHARS = 256 * 1024;

/** A streamed answer is rendered ahead of what its client has read by at most about this much. */
export const STREAM_WINDOW_CHARS = 1024 * 1024;

/** What one write() of a large answer carries at most (its pieces, coalesced). */
const WRITE_BATCH_CHARS = 256 * 1024;

/** How often a large render waiting for memory looks again (memory is freed by clients reading, without an event per byte). */
const MEMORY_POLL_MS = 10;

/** The render was stopped because its client is gone: nothing is to be sent. */
export class AnswerAbandoned extends Error {
  constructor() {
    super("the client is gone");
  }
}

/** One connection's share of the answer memory: what it holds rendered and not yet sent. */
export interface MemoryAccount {
  /** Rendered and not yet sent: the answer in progress and what the socket holds. */
  readonly held: () => number;
  /** What the socket holds only (it drains as the client reads, or goes when it is cut). */
  readonly sending: () => number;
  readonly gone: () => boolean;
}

/**
 * The memory budget of the answers rendered and not yet sent, over all connections of a
 * server, and the turns of large fixed16 renders. A large render goes on only at the head
 * of the queue, and only while the others hold no more than the budget. What the renders
 * waiting behind it hold (at most ONE_WRITE_CHARS and a batch each) is not counted against
 * it, only what can go away: answers being sent, which their clients read or the write
 * timeout cuts. So the head always gets through, and no two renders wait for each other.
 */
export class AnswerMemory {
  private readonly accounts = new Set<MemoryAccount>();
  private readonly largeQueue: MemoryAccount[] = [];

  constructor(readonly budgetChars: number) {}

  open(account: MemoryAccount): void {
    this.accounts.add(account);
  }

  close(account: MemoryAccount): void {
    this.accounts.delete(account);
    this.endLarge(account);
  }

  /** Characters held by every connection in answers not yet sent (the socket's buffers included). */
  held(): number {
    let total = 0;
    for (const a of this.accounts) total += a.held();
    return total;
  }

  /** What the head of the queue waits for: all but its own answer, and but the waiting renders' unsent pieces. */
  private othersDraining(head: MemoryAccount): number {
    let total = 0;
    for (const a of this.accounts) if (a !== head) total += this.largeQueue.includes(a) ? a.sending() : a.held();
    return total;
  }

  /** Resolves when the large render of `account` may go on (or its client is gone: the caller looks). */
  async admitLarge(account: MemoryAccount): Promise<void> {
    if (!this.largeQueue.includes(account)) this.largeQueue.push(account);
    while (!account.gone()) {
      if (this.largeQueue[0] === account && this.othersDraining(account) <= this.budgetChars) return;
      await new Promise((resolve) => setTimeout(resolve, MEMORY_POLL_MS));
    }
  }

  /** The large render of `account` is done (rendered or abandoned): the next one's turn. */
  endLarge(account: MemoryAccount): void {
    const i = this.largeQueue.indexOf(account);
    if (i >= 0) this.largeQueue.splice(i, 1);
  }
}

/** What the answers of one connection need from it and from the server. */
export interface AnswerPort {
  readonly socket: net.Socket;
  readonly account: MemoryAccount;
  readonly memory: AnswerMemory;
  readonly turns: SliceTurns;
  /** Resolves once the socket has sent what it holds, or when it closed (cut after the write timeout). */
  drained(): Promise<void>;
}

/**
 * One answer on its way: the query engine's sink (BodySink), then finish() writes what is
 * left. `chars` counts what is rendered and not yet handed to the socket.
 */
export class AnswerOutput implements BodySink {
  private pieces: string[] = [];
  chars = 0;
  private streaming = false;
  /** fixed16: the UTF-8 bytes of pieces[0..counted), counted slice by slice rather than all at the end. */
  private bytes = 0;
  private counted = 0;
  /** Some of this answer was written: an error can no longer be sent instead. */
  started = false;

  constructor(
    private readonly port: AnswerPort,
    private readonly fixed16: boolean,
  ) {}

  push(text: string): void {
    this.pieces.push(text);
    this.chars += text.length;
  }

  async between(): Promise<void> {
    this.mustGoOn();
    await this.port.turns.next();
    this.mustGoOn();
    if (this.chars > ONE_WRITE_CHARS || this.streaming) {
      if (!this.fixed16) {
        this.streaming = true;
        await this.send();
      } else {
        this.countBytes();
        await this.port.memory.admitLarge(this.port.account);
      }
    }
    this.mustGoOn();
  }

  /** Writes what is left of the answer (rendered whole, status 200). */
  async finish(status: number): Promise<void> {
    this.port.memory.endLarge(this.port.account);
    if (this.streaming) return this.send();
    if (this.chars <= ONE_WRITE_CHARS) {
      const body = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join("");
      this.drop();
      this.port.socket.write(frameResponse(status, body, this.fixed16));
      return;
    }
    if (this.fixed16) {
      this.countBytes();
      this.pieces.unshift(fixed16Header(status, this.bytes));
    }
    return this.send();
  }

  /** The answer will not be sent (an error instead, or the client is gone). */
  discard(): void {
    this.port.memory.endLarge(this.port.account);
    this.drop();
  }

  private countBytes(): void {
    for (; this.counted < this.pieces.length; this.counted++) this.bytes += Buffer.byteLength(this.pieces[this.counted]!, "utf8");
  }

  private drop(): void {
    this.pieces = [];
    this.chars = 0;
  }

  private mustGoOn(): void {
    if (this.port.account.gone()) throw new AnswerAbandoned();
  }

  /** Writes the pieces in batches, waiting for the client to read while the socket holds more than the window. */
  private async send(): Promise<void> {
    const socket = this.port.socket;
    let i = 0;
    while (i < this.pieces.length) {
      this.mustGoOn();
      let batch = 0;
      socket.cork();
      do {
        const piece = this.pieces[i]!;
        this.pieces[i++] = ""; // the socket has it now: not held twice
        batch += piece.length;
        socket.write(piece, "utf8");
      } while (i < this.pieces.length && batch + this.pieces[i]!.length <= WRITE_BATCH_CHARS);
      socket.uncork();
      this.started = true;
      this.chars -= batch;
      if (socket.writableLength > STREAM_WINDOW_CHARS) await this.port.drained();
    }
    this.pieces = [];
    this.mustGoOn();
  }
}

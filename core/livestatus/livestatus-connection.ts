/**
 * One client connection of the Livestatus server (livestatus.md §1.3): bytes in, framed
 * into requests, answered strictly in order, one write() per answer.
 *
 * - A request waits for the previous one to be answered and written (back-pressure:
 *   when write() says the socket buffer is full, the next answer waits for 'drain').
 * - While anything is awaited (drain, a command, a Wait condition) the socket stops
 *   reading, so a client that pipelines without reading cannot make us buffer without end.
 * - A COMMAND gets no answer and keeps the connection open; the next request on it runs
 *   only after the command handler is done, so it sees the command's effect. A refused
 *   command is answered (400, 403) only when it asked for `ResponseHeader: fixed16`: a
 *   client without it cannot tell an error line from the next answer.
 * - Without `KeepAlive: on` the connection is ended after the answer, and so after a
 *   framing error (too large, not UTF-8: the stream may be out of step) and after a bad
 *   request line (452: not a Livestatus client). Other errors on a keep-alive connection
 *   are answered and the connection kept, as Checkmk and Icinga 2 do.
 */
import type net from "node:net";
import type { Logger } from "../log/logger";
import type { ChangeFeed } from "../state/change-feed";
import { LivestatusError } from "./livestatus-error";
import { answerQuery, type QueryAnswer } from "./query-engine";
import type { CommandRequest, GetQuery, LivestatusRequest } from "./query";
import { RequestFramer, type FramerEvent } from "./request-framer";
import { parseRequest } from "./request-parser";
import { errorBody, frameResponse } from "./response";
import type { TableRegistry } from "./table-registry";
import { planWait, type WaitPlan } from "./wait-condition";

/** Why a command was refused: the status (400 malformed, 403 not allowed) and the message for the client. */
export interface CommandRefusal {
  readonly status: number;
  readonly message: string;
}

/**
 * Runs a COMMAND. `authUser` is the `AuthUser:` header sent with it, if any; `peer` names
 * the client for the log. A returned promise holds back the connection's next request
 * until it settles, with the refusal if the command was refused.
 */
export type CommandHandler = (command: CommandRequest, authUser: string | undefined, peer: string) => void | Promise<CommandRefusal | undefined>;

/** What every connection of one server shares. */
export interface ConnectionContext {
  readonly tables: TableRegistry;
  readonly onCommand: CommandHandler;
  readonly log: Logger;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly maxRequestBytes: number;
  /** How often a Wait condition is looked at again. */
  readonly waitPollMs: number;
  /** Called for every request read (GET or COMMAND, well-formed or not): the status table's `requests`. */
  readonly countRequest: () => void;
  /** Change notices that wake Wait queries at once; without them they are only polled. */
  readonly changes?: ChangeFeed;
  /** A request begun and not finished (no empty line) after this long is answered 451 and the connection closed (ms; 0 = never). */
  readonly requestTimeoutMs: number;
}

export class LivestatusConnection {
  private readonly framer: RequestFramer;
  private readonly queue: FramerEvent[] = [];
  private running = false;
  /** The client half-closed: what is left in the framer is its last request. */
  private eof = false;
  private tailTaken = false;
  /** We are ending the connection: nothing more is read or answered. */
  private ending = false;
  private closed = false;
  /** Set once a request asked for fixed16: how a later too-large request is answered. */
  private fixed16Seen = false;
  /** Resolves the current wait (drain, poll) early when the socket closes. */
  private wake: (() => void) | undefined;
  /** Runs while a request has begun and not ended (requestTimeoutMs). */
  private requestTimer: NodeJS.Timeout | undefined;
  /** When the last request was handled (or the connection opened): how long it has been idle. */
  private lastRequestAt: number;

  constructor(
    readonly socket: net.Socket,
    readonly peer: string,
    private readonly ctx: ConnectionContext,
  ) {
    this.framer = new RequestFramer({ maxRequestBytes: ctx.maxRequestBytes });
    this.lastRequestAt = ctx.now();
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => {
      this.eof = true;
      void this.pump();
    });
    socket.on("close", () => {
      this.closed = true;
      this.queue.length = 0;
      clearTimeout(this.requestTimer);
      this.wake?.();
    });
  }

  /**
   * Since when the connection has been between requests (no request begun or queued, none
   * being answered or waited for, no answer left to write); undefined while busy. The server
   * evicts the longest idle one when its slots run out.
   */
  get idleSince(): number | undefined {
    if (this.closed || this.running || this.queue.length > 0 || this.framer.inRequest || this.socket.writableLength > 0) return undefined;
    return this.lastRequestAt;
  }

  private onData(chunk: Buffer): void {
    if (this.ending) return; // the answer that ends the connection is out: the rest is not read
    for (const event of this.framer.feed(chunk)) this.queue.push(event);
    this.watchRequestTime();
    void this.pump();
  }

  /**
   * A client that starts a request and never ends it (no empty line, no FIN) would hold its
   * connection until idle_timeout while sending a byte now and then: after requestTimeoutMs
   * it is answered 451 and the connection closed, as Checkmk does after its query timeout.
   */
  private watchRequestTime(): void {
    if (!this.framer.inRequest || this.eof) {
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
      return;
    }
    if (this.requestTimer !== undefined || this.ctx.requestTimeoutMs <= 0) return;
    this.requestTimer = setTimeout(() => {
      this.requestTimer = undefined;
      if (this.closed || this.ending || this.eof || !this.framer.inRequest) return;
      // Requests still being answered first: their answers come before this one.
      if (this.running || this.queue.length > 0) return this.watchRequestTime();
      const seconds = this.ctx.requestTimeoutMs / 1000;
      void this.answer(451, errorBody(`Incomplete request: no empty line after ${seconds} s`), this.fixed16Seen, false);
    }, this.ctx.requestTimeoutMs);
    this.requestTimer.unref();
  }

  /** Handles queued requests one after the other; only one pump runs per connection. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && !this.ending) {
        const event = this.next();
        if (event === undefined) break;
        await this.handle(event);
        this.lastRequestAt = this.ctx.now();
      }
      // Everything the client sent before its FIN is answered: end our side too.
      if (this.eof && this.tailTaken && !this.closed && !this.ending) this.end();
    } catch (err) {
      // A bug, not a client error: never let it take the daemon down, drop this connection.
      this.ctx.log.error(`livestatus connection ${this.peer}: ${String(err)}`, { peer: this.peer, err: err instanceof Error ? err.stack : String(err) });
      this.socket.destroy();
    } finally {
      this.running = false;
    }
  }

  private next(): FramerEvent | undefined {
    const queued = this.queue.shift();
    if (queued !== undefined || !this.eof || this.tailTaken) return queued;
    this.tailTaken = true;
    return this.framer.end();
  }

  private async handle(event: FramerEvent): Promise<void> {
    switch (event.kind) {
      case "too-large":
        this.ctx.log.debug(`livestatus request from ${this.peer} too large`, { peer: this.peer, max: event.maxRequestBytes });
        return this.answer(event.error.status, errorBody(event.error.message), this.fixed16Seen, false);
      case "invalid-utf8":
        return this.answer(event.error.status, errorBody(event.error.message), rawHeader(event.lines, "ResponseHeader: fixed16"), false);
      case "request":
        return this.request(event.lines);
    }
  }

  private async request(lines: readonly string[]): Promise<void> {
    this.ctx.countRequest();
    let request: LivestatusRequest;
    try {
      request = parseRequest(lines, this.ctx.now() / 1000);
    } catch (err) {
      if (!(err instanceof LivestatusError)) throw err;
      // The headers were not understood: look for fixed16 and KeepAlive in the raw lines.
      const keepAlive = err.status !== 452 && rawHeader(lines, "KeepAlive: on");
      return this.answer(err.status, errorBody(err.message), rawHeader(lines, "ResponseHeader: fixed16"), keepAlive);
    }
    if (request.kind === "command") return this.command(request, lines);
    const fixed16 = request.responseHeader === "fixed16";
    if (fixed16) this.fixed16Seen = true;
    const answer = await this.query(request);
    if (answer !== undefined) return this.answer(answer.status, answer.body, fixed16, request.keepAlive);
  }

  private async command(command: CommandRequest, lines: readonly string[]): Promise<void> {
    // The parser keeps only the command line; an AuthUser sent along is passed on for the handler to judge.
    const authLine = lines.find((l) => l.startsWith("AuthUser:"));
    const authUser = authLine === undefined ? undefined : authLine.slice("AuthUser:".length).trim() || undefined;
    let refusal: CommandRefusal | undefined;
    try {
      const pending = this.ctx.onCommand(command, authUser, this.peer);
      if (pending !== undefined) await this.whilePaused(pending.then((r) => void (refusal = r)));
    } catch (err) {
      // A failing handler is a bug, not the client's: logged, and the connection goes on.
      this.ctx.log.error(`livestatus command from ${this.peer} failed: ${String(err)}`, { peer: this.peer, command: command.line.slice(0, 200) });
    }
    // Kept open whatever KeepAlive says: a command never ends the connection (livestatus.md §1.3).
    if (refusal !== undefined && rawHeader(lines, "ResponseHeader: fixed16")) return this.answer(refusal.status, errorBody(refusal.message), true, true);
  }

  /** Waits for the Wait condition if any, then answers; undefined when the client left meanwhile. */
  private async query(query: GetQuery): Promise<QueryAnswer | undefined> {
    try {
      const wait = planWait(query, this.ctx.tables);
      // A bare WaitTrigger waits for a change notice: without a feed of them there is nothing to wait for.
      if (wait !== undefined && (wait.holds === undefined ? this.ctx.changes !== undefined : !wait.holds())) {
        await this.whilePaused(this.waitFor(wait));
        if (this.closed) return undefined;
      }
      const now = this.ctx.now();
      // Awaited here, so that a rejected answer (a LivestatusError, a store failing) is caught below.
      return await answerQuery(query, this.ctx.tables, now / 1000, this.ctx.now);
    } catch (err) {
      if (err instanceof LivestatusError) return { status: err.status, body: errorBody(err.message) };
      // A table's bug (or a body too large for a string): the client gets an error, the log the stack.
      this.ctx.log.error(`livestatus query from ${this.peer} failed: ${String(err)}`, { peer: this.peer, table: query.table, err: err instanceof Error ? err.stack : String(err) });
      return { status: 500, body: errorBody(`Internal error: ${err instanceof Error ? err.message : String(err)}`) };
    }
  }

  /**
   * Resolves when the plan's condition holds (or, for a bare WaitTrigger, once a change of
   * its kind happened), after its timeout (0: never), or when the socket closes. A change of
   * the trigger's kind wakes it at once; the condition is also looked at every waitPollMs,
   * for what changes without a notice (staleness grows with the clock).
   */
  private async waitFor(plan: WaitPlan): Promise<void> {
    const until = plan.timeoutMs > 0 ? this.ctx.now() + plan.timeoutMs : Number.POSITIVE_INFINITY;
    let fired = false;
    const unsubscribe = this.ctx.changes?.onChange((kinds) => {
      if (plan.trigger !== "all" && !kinds.has(plan.trigger)) return;
      fired = true;
      this.wake?.();
    });
    try {
      while (!this.closed) {
        if (plan.holds === undefined ? fired : plan.holds()) return;
        const left = until - this.ctx.now();
        if (left <= 0) return;
        // A change that came while the condition was being read is not slept over.
        if (!fired) await this.sleep(Math.min(this.ctx.waitPollMs, left));
        if (plan.holds !== undefined) fired = false;
      }
    } finally {
      unsubscribe?.();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }

  /** One write per answer (header and body in one Buffer); ends the connection unless keep-alive. */
  private async answer(status: number, body: string, fixed16: boolean, keepAlive: boolean): Promise<void> {
    if (this.closed || this.socket.destroyed) return;
    const frame = frameResponse(status, body, fixed16);
    const flushed = this.socket.write(frame);
    if (!keepAlive) return this.end();
    if (!flushed) await this.whilePaused(this.drained());
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off("drain", done);
        this.wake = undefined;
        resolve();
      };
      this.socket.on("drain", done);
      this.wake = done;
    });
  }

  /** Stops reading while `pending` runs, so what a client pipelines meanwhile stays in the kernel's buffers. */
  private async whilePaused(pending: Promise<void>): Promise<void> {
    this.socket.pause();
    try {
      await pending;
    } finally {
      if (!this.closed && !this.ending) this.socket.resume();
    }
  }

  private end(): void {
    this.ending = true;
    this.queue.length = 0;
    if (this.socket.destroyed) return;
    this.socket.end();
    // Keep reading (and dropping) what the client still sends, so its FIN is seen and the socket closes.
    this.socket.resume();
  }
}

/** Whether a header line is among the raw lines of a request whose headers did not parse. */
function rawHeader(lines: readonly string[], line: string): boolean {
  return lines.includes(line);
}

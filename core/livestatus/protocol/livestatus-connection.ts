/**
 * One client connection of the Livestatus server (docs/livestatus.md §1.3): bytes in, framed
 * into requests, answered strictly in order, one write() per answer that fits the socket
 * buffer (larger ones in pieces as the client reads: answer-output.ts).
 *
 * - A request waits for the previous one to be answered and written (back-pressure:
 *   when write() says the socket buffer is full, the next answer waits for 'drain').
 *   A client that reads nothing of its answer for the write timeout is cut.
 * - While anything is awaited (drain, a command, a Wait condition) the socket stops
 *   reading, so a client that pipelines without reading cannot make us buffer without
 *   end. A render that pauses between its slices keeps reading (that is how a client's
 *   going away is seen) up to MAX_QUEUED requests.
 * - A render whose client has closed the connection stops at its next slice. A client that
 *   only half-closed (FIN after its request, as the Perl client does) still reads: it gets
 *   its answer.
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
import type { Logger } from "../../log/logger";
import type { ChangeFeed } from "../../state/change-feed";
import { AnswerAbandoned, AnswerOutput, type AnswerMemory, type AnswerPort, type MemoryAccount } from "./answer-output";
import { LivestatusError } from "./livestatus-error";
import { renderQuery } from "../query/query-engine";
import type { CommandRequest, GetQuery, LivestatusRequest } from "./query";
import { RequestFramer, type FramerEvent } from "./request-framer";
import { parseRequest } from "./request-parser";
import { errorBody, frameResponse } from "./response";
import type { TableRegistry } from "../query/table-registry";
import { planWait, type WaitPlan } from "./wait-condition";
import type { LoopTurns } from "../../net/loop-turns";
import type { SliceTurns } from "../query/work-slicer";

/** Why a command was refused: the status (400 malformed, 403 not allowed) and the message for the client. */
export interface CommandRefusal {
  readonly status: number;
  readonly message: string;
}

/**
 * Runs a COMMAND. `authUser` is the `AuthUser:` header sent with it, if any; `peer` names
 * the client for the log. A returned promise holds back the connection's next request
 * until it settles, with the refusal if the command was refused; undefined: nothing to wait for.
 */
export type CommandHandler = (command: CommandRequest, authUser: string | undefined, peer: string) => Promise<CommandRefusal | undefined> | undefined;

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
  /**
   * Called once a request is served: its table (`COMMAND` for a command, `-` for a request
   * not understood), the status answered (`abandoned` when the client left first) and the
   * seconds from its last line read to its answer written (a Wait query's wait included).
   */
  readonly requestServed?: (table: string, status: string, seconds: number) => void;
  /** Change notices that wake Wait queries at once; without them they are only polled. */
  readonly changes?: ChangeFeed;
  /** A request begun and not finished (no empty line) after this long is answered 451 and the connection closed (ms; 0 = never). */
  readonly requestTimeoutMs: number;
  /** A client that reads nothing of what it was sent for this long is cut (ms; 0 = never). */
  readonly writeTimeoutMs: number;
  /** Told (to log it) before a connection is cut for the write timeout; `unsent` counts what it left unread. */
  readonly onWriteTimeout: (peer: string, unsent: number) => void;
  /** The memory budget of unsent answers, shared by the server's connections. */
  readonly answerMemory: AnswerMemory;
  /** The turns of paused renders, shared by the server's connections. */
  readonly turns: SliceTurns;
  /** The turns of work when much is ready at once (loop-turns.ts), shared with the daemon's inputs. */
  readonly loopTurns: LoopTurns;
}

/** Requests read ahead while one is rendered; beyond, the socket stops reading until they are answered. */
const MAX_QUEUED = 16;

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
  /** The answer being rendered or written. */
  private output: AnswerOutput | undefined;
  /** Reading was stopped because MAX_QUEUED requests wait. */
  private readingHeld = false;
  /** The next request waits for its turn (loopTurns): the pump goes on from there. */
  private waitingTurn = false;
  private readonly account: MemoryAccount = {
    held: () => (this.output?.chars ?? 0) + this.socket.writableLength,
    sending: () => this.socket.writableLength,
    gone: () => this.closed || this.socket.destroyed,
  };
  private readonly port: AnswerPort;

  constructor(
    readonly socket: net.Socket,
    readonly peer: string,
    private readonly ctx: ConnectionContext,
  ) {
    this.framer = new RequestFramer({ maxRequestBytes: ctx.maxRequestBytes });
    this.lastRequestAt = ctx.now();
    this.port = {
      socket,
      account: this.account,
      memory: ctx.answerMemory,
      turns: ctx.turns,
      drained: () => this.drained(),
    };
    ctx.answerMemory.open(this.account);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => {
      this.eof = true;
      void this.pump();
    });
    socket.on("close", () => {
      this.closed = true;
      ctx.answerMemory.close(this.account);
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
    if (this.closed || this.running || this.queue.length > 0 || this.framer.inRequest || this.output !== undefined || this.socket.writableLength > 0)
      return undefined;
    return this.lastRequestAt;
  }

  private onData(chunk: Buffer): void {
    if (this.ending) return; // the answer that ends the connection is out: the rest is not read
    for (const event of this.framer.feed(chunk)) this.queue.push(event);
    if (this.queue.length >= MAX_QUEUED && !this.readingHeld) {
      this.readingHeld = true;
      this.socket.pause();
    }
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
      if (this.running || this.queue.length > 0) {
        this.watchRequestTime();
        return;
      }
      const seconds = this.ctx.requestTimeoutMs / 1000;
      void this.answer(451, errorBody(`Incomplete request: no empty line after ${seconds} s`), this.fixed16Seen, false);
    }, this.ctx.requestTimeoutMs);
    this.requestTimer.unref();
  }

  /** Handles queued requests one after the other; only one pump runs per connection. */
  /** @param granted the first request's turn has come (loopTurns): it starts without asking again. */
  private async pump(granted = false): Promise<void> {
    if (this.running || this.waitingTurn) return;
    this.running = true;
    try {
      while (!this.closed && !this.ending) {
        if (!this.hasNext()) break;
        if (granted) granted = false;
        else if (!this.ctx.loopTurns.mayStart()) {
          this.waitingTurn = true;
          this.ctx.loopTurns.wait(this.resumeTurn);
          return;
        }
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

  private readonly resumeTurn = (): void => {
    this.waitingTurn = false;
    void this.pump(true);
  };

  /** Whether a request (or the tail a half-closing client left) waits to be handled. */
  private hasNext(): boolean {
    return this.queue.length > 0 || (this.eof && !this.tailTaken);
  }

  private next(): FramerEvent | undefined {
    if (this.readingHeld && this.queue.length < MAX_QUEUED / 2) {
      this.readingHeld = false;
      if (!this.closed && !this.ending) this.socket.resume();
    }
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
    const served = this.ctx.requestServed;
    if (served === undefined) {
      await this.serve(lines);
      return;
    }
    const started = performance.now();
    const outcome = await this.serve(lines);
    served(outcome.table, outcome.status, (performance.now() - started) / 1000);
  }

  /** Answers one request; says which table it read and with what status, for the counters. */
  private async serve(lines: readonly string[]): Promise<{ readonly table: string; readonly status: string }> {
    let request: LivestatusRequest;
    try {
      request = parseRequest(lines, this.ctx.now() / 1000);
    } catch (err) {
      if (!(err instanceof LivestatusError)) throw err;
      // The headers were not understood: look for fixed16 and KeepAlive in the raw lines.
      const keepAlive = err.status !== 452 && rawHeader(lines, "KeepAlive: on");
      await this.answer(err.status, errorBody(err.message), rawHeader(lines, "ResponseHeader: fixed16"), keepAlive);
      return { table: "-", status: statusLabel(err.status) };
    }
    if (request.kind === "command") return { table: "COMMAND", status: statusLabel(await this.command(request, lines)) };
    const fixed16 = request.responseHeader === "fixed16";
    if (fixed16) this.fixed16Seen = true;
    const status = await this.query(request, fixed16);
    return { table: request.table, status: status === undefined ? "abandoned" : statusLabel(status) };
  }

  /** @returns the status of the command: 200, or its refusal's. */
  private async command(command: CommandRequest, lines: readonly string[]): Promise<number> {
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
    // Kept open whatever KeepAlive says: a command never ends the connection (docs/livestatus.md §1.3).
    if (refusal !== undefined && rawHeader(lines, "ResponseHeader: fixed16")) await this.answer(refusal.status, errorBody(refusal.message), true, true);
    return refusal?.status ?? 200;
  }

  /**
   * Waits for the Wait condition if any, then renders the answer and writes it; nothing when the client left meanwhile.
   * @returns the status answered, undefined when the client left before the answer was whole.
   */
  private async query(query: GetQuery, fixed16: boolean): Promise<number | undefined> {
    const output = new AnswerOutput(this.port, fixed16);
    this.output = output;
    let failure: { status: number; body: string } | undefined;
    try {
      const wait = planWait(query, this.ctx.tables);
      // A bare WaitTrigger waits for a change notice: without a feed of them there is nothing to wait for.
      if (wait !== undefined && (wait.holds === undefined ? this.ctx.changes !== undefined : !wait.holds())) {
        await this.whilePaused(this.waitFor(wait));
        if (this.closed) return undefined;
      }
      const now = this.ctx.now();
      // Awaited here, so that a rejected answer (a LivestatusError, a store failing) is caught below.
      await renderQuery(query, this.ctx.tables, now / 1000, output, { nowMs: this.ctx.now });
      await output.finish(200);
    } catch (err) {
      output.discard();
      if (err instanceof AnswerAbandoned || this.closed) {
        this.ctx.log.debug(`livestatus answer to ${this.peer} abandoned: the client is gone`, { peer: this.peer, table: query.table });
        return undefined;
      }
      failure = this.failure(err, query);
      if (output.started) {
        // Part of the body is out and the client reads it to the end: no error can follow it. Cut, so the client sees it incomplete.
        this.ctx.log.debug(`livestatus answer to ${this.peer} cut after part of it was sent: ${failure.body.trim()}`, { peer: this.peer, table: query.table });
        this.socket.destroy();
        return undefined;
      }
    } finally {
      this.output = undefined;
    }
    if (failure !== undefined) {
      await this.answer(failure.status, failure.body, fixed16, query.keepAlive);
      return failure.status;
    }
    if (!query.keepAlive) {
      this.end();
      return 200;
    }
    if (this.socket.writableNeedDrain) await this.whilePaused(this.drained());
    return 200;
  }

  /** The answer to a query that failed: its LivestatusError, or a 500 for a table's bug (logged). */
  private failure(err: unknown, query: GetQuery): { status: number; body: string } {
    if (err instanceof LivestatusError) return { status: err.status, body: errorBody(err.message) };
    // A table's bug (or a body too large for a string): the client gets an error, the log the stack.
    this.ctx.log.error(`livestatus query from ${this.peer} failed: ${String(err)}`, {
      peer: this.peer,
      table: query.table,
      err: err instanceof Error ? err.stack : String(err),
    });
    return { status: 500, body: errorBody(`Internal error: ${err instanceof Error ? err.message : String(err)}`) };
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
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the onChange callback above sets it during the awaits; the narrowing does not see that
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
    if (!keepAlive) {
      this.end();
      return;
    }
    if (!flushed) await this.whilePaused(this.drained());
  }

  /**
   * Resolves once the socket has sent what it holds ('drain'), or when it closes. A client
   * that reads none of it for writeTimeoutMs is cut: its unsent answers would hold memory
   * (and, for a large one, hold up every other large answer) until the idle timeout.
   */
  private drained(): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timeoutMs = this.ctx.writeTimeoutMs;
      const timer =
        timeoutMs <= 0
          ? undefined
          : setTimeout(() => {
              this.ctx.onWriteTimeout(this.peer, this.socket.writableLength);
              this.socket.destroy();
              done();
            }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.socket.off("drain", done);
        this.socket.off("finish", done);
        this.wake = undefined;
        resolve();
      };
      this.socket.on("drain", done);
      // After end(), all sent is 'finish' ('drain' only comes when a write asked for it).
      this.socket.on("finish", done);
      this.wake = done;
    });
  }

  /** Stops reading while `pending` runs, so what a client pipelines meanwhile stays in the kernel's buffers. */
  private async whilePaused(pending: Promise<void>): Promise<void> {
    this.socket.pause();
    try {
      await pending;
    } finally {
      if (!this.closed && !this.ending && !this.readingHeld) this.socket.resume();
    }
  }

  private end(): void {
    this.ending = true;
    this.queue.length = 0;
    if (this.socket.destroyed) return;
    this.socket.end();
    // Keep reading (and dropping) what the client still sends, so its FIN is seen and the socket closes.
    this.socket.resume();
    // The last of the answer may still wait for the client: the write timeout holds for it too.
    if (this.socket.writableLength > 0) void this.drained();
  }
}

/** Whether a header line is among the raw lines of a request whose headers did not parse. */
function rawHeader(lines: readonly string[], line: string): boolean {
  return lines.includes(line);
}

/** Status codes as label values, made once each (the few a server answers). */
const STATUS_LABELS = new Map<number, string>();
function statusLabel(status: number): string {
  let label = STATUS_LABELS.get(status);
  if (label === undefined) {
    label = String(status);
    STATUS_LABELS.set(status, label);
  }
  return label;
}

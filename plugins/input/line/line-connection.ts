import type net from "node:net";
import { LineFramer } from "../../../core/input/line-framer";

/**
 * A half-received line older than this counts as stalled: senders write a line at once,
 * so its bytes follow each other within milliseconds; one that waits a second for the rest
 * of its line is a slow-drip client (or a dying link), and may be evicted.
 */
export const STALLED_LINE_MS = 1000;

/** One client connection of the line input: its framing state and where it is in its life. */
export class Connection {
  readonly framer: LineFramer;
  lineNo = 0;
  authenticated: boolean;
  /** The peer sent FIN: an unterminated tail may be a last result. */
  eof = false;
  /** Why the stream ended without a clean FIN (reset, error, idle, stop): the tail is dropped. */
  aborted: string | undefined;
  /** Authentication failed: everything further is ignored. */
  refused = false;
  closed = false;
  /** The tail was handled: nothing is left to process. */
  finished = false;
  draining = false;
  /** Its lines wait for a turn of the loop (LoopTurns); reading is paused meanwhile. */
  waitingTurn = false;
  /** SYNCs not answered yet: a half-closed connection stays open for them. */
  syncsPending = 0;
  /** When the last line with content was handled (a blank line does not count); undefined before the first. */
  lastLineAt: number | undefined;
  /** The last byte received was not a newline: a line is half received. */
  lineOpen = false;
  /** When the half-received line began (its first chunk). */
  lineOpenedAt = 0;
  /** A newline has been received since connecting (the first line is over). */
  sawNewline = false;
  /** Runs while a line is open, or until the first newline (line_timeout). */
  lineTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: net.Socket,
    readonly peer: string,
    /** The address as per-address limits count it (peerKey). */
    readonly key: string,
    readonly connectedAt: number,
    maxLineBytes: number,
    authenticated: boolean,
  ) {
    this.framer = new LineFramer(maxLineBytes);
    this.authenticated = authenticated;
  }

  /**
   * Since when the connection has been quiet (its last line with content, or its connection),
   * or undefined while it holds anything that eviction would lose: a line being received
   * (a stalled one aside, see STALLED_LINE_MS), lines not processed yet, a SYNC not
   * answered, an answer not written. A refused connection (wrong token) is quiet since
   * forever: it only lingers for its error message.
   */
  quietSince(now: number): number | undefined {
    if (this.closed) return undefined;
    if (this.refused) return 0;
    if (
      (this.lineOpen && now - this.lineOpenedAt < STALLED_LINE_MS) ||
      this.draining ||
      this.syncsPending > 0 ||
      this.framer.bufferedBytes > this.framer.partialLength ||
      this.socket.readableLength > 0 ||
      this.socket.writableLength > 0
    )
      return undefined;
    return this.lastLineAt ?? this.connectedAt;
  }

  /**
   * When no connection is quiet: a connection that has not sent one whole line since it
   * connected may still be evicted, oldest first (its half first line is lost). A real
   * sender writes its first line at once, so it is past this within milliseconds of
   * connecting, while a slow-drip client never is.
   */
  firstLineSince(): number | undefined {
    if (this.closed || this.sawNewline || this.syncsPending > 0) return undefined;
    return this.connectedAt;
  }
}

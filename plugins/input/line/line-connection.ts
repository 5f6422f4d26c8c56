import type net from "node:net";
import { LineFramer } from "./line-framer";

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
  /** SYNCs not answered yet: a half-closed connection stays open for them. */
  syncsPending = 0;

  constructor(
    readonly socket: net.Socket,
    readonly peer: string,
    maxLineBytes: number,
    authenticated: boolean,
  ) {
    this.framer = new LineFramer(maxLineBytes);
    this.authenticated = authenticated;
  }
}

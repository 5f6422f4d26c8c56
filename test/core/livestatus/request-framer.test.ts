import { expect } from "chai";
import { LivestatusError } from "../../../core/livestatus/protocol/livestatus-error";
import { DEFAULT_MAX_REQUEST_BYTES, type FramerEvent, RequestFramer, type RequestFramerOptions } from "../../../core/livestatus/protocol/request-framer";
import { seededRandom } from "../../helpers/seeded-random";

const GET = "GET hosts\nColumns: name state\nOutputFormat: json\nResponseHeader: fixed16\n\n";
const GET_LINES = ["GET hosts", "Columns: name state", "OutputFormat: json", "ResponseHeader: fixed16"];

function bytes(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

/** Feeds the chunks in order, then EOF when asked; returns every event. */
function frame(chunks: readonly (string | Buffer)[], opts: { eof?: boolean; options?: RequestFramerOptions } = {}): FramerEvent[] {
  const framer = new RequestFramer(opts.options);
  const events: FramerEvent[] = [];
  for (const chunk of chunks) events.push(...framer.feed(typeof chunk === "string" ? bytes(chunk) : chunk));
  if (opts.eof === true) {
    const last = framer.end();
    if (last !== undefined) events.push(last);
  }
  return events;
}

/** The lines of each event, failing on anything but a request. */
function requests(events: readonly FramerEvent[]): (readonly string[])[] {
  return events.map((e) => {
    if (e.kind !== "request") throw new Error(`expected a request, got ${e.kind}`);
    return e.lines;
  });
}

function splitRandomly(buf: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const size = 1 + Math.floor(random() * 12);
    chunks.push(buf.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

describe("livestatus RequestFramer", () => {
  describe("framing", () => {
    it("yields one request ending at the empty line, as lines without the blank one", () => {
      expect(requests(frame([GET]))).to.deep.equal([GET_LINES]);
    });

    it("yields nothing until the blank line arrives", () => {
      const framer = new RequestFramer();
      expect(framer.feed(bytes("GET hosts\nColumns: name\n"))).to.deep.equal([]);
      expect(framer.bufferedBytes).to.equal(24);
      expect(requests(framer.feed(bytes("\n")))).to.deep.equal([["GET hosts", "Columns: name"]]);
      expect(framer.bufferedBytes).to.equal(0);
    });

    it("splits several requests arriving in one chunk, in order (pipelining)", () => {
      const stream = GET + "GET services\nColumns: host_name description\n\n" + "GET status\n\n";
      expect(requests(frame([stream]))).to.deep.equal([GET_LINES, ["GET services", "Columns: host_name description"], ["GET status"]]);
    });

    it("splits COMMAND then GET sent in one write, skipping the extra empty lines [ref §8]", () => {
      const stream =
        "COMMAND [1795486937] PROCESS_HOST_CHECK_RESULT;host-0002;1;DOWN - via COMMAND\n\n\n" +
        "GET hosts\nColumns: name state plugin_output\nFilter: name = host-0002\nOutputFormat: json\nResponseHeader: fixed16\n\n";
      expect(requests(frame([stream]))).to.deep.equal([
        ["COMMAND [1795486937] PROCESS_HOST_CHECK_RESULT;host-0002;1;DOWN - via COMMAND"],
        ["GET hosts", "Columns: name state plugin_output", "Filter: name = host-0002", "OutputFormat: json", "ResponseHeader: fixed16"],
      ]);
    });

    it("assembles a request fed byte by byte, answering only at its last byte", () => {
      const framer = new RequestFramer();
      const buf = bytes(GET);
      for (let i = 0; i < buf.length - 1; i++) {
        expect(framer.feed(buf.subarray(i, i + 1)), `byte ${i}`).to.deep.equal([]);
      }
      expect(requests(framer.feed(buf.subarray(buf.length - 1)))).to.deep.equal([GET_LINES]);
    });

    it("gives the same requests for any split of a pipelined stream", () => {
      const stream = bytes("\n\nGET hosts\r\nColumns: name\r\n\r\nCOMMAND [1] ACK;h;s;café\n\n  \nGET status  \nColumns: num_hosts\t\n \t\r\nGET log");
      const expected = [["GET hosts", "Columns: name"], ["COMMAND [1] ACK;h;s;café"], ["GET status", "Columns: num_hosts"], ["GET log"]];
      const random = seededRandom(42);
      for (let round = 0; round < 200; round++) {
        expect(requests(frame(splitRandomly(stream, random), { eof: true })), `round ${round}`).to.deep.equal(expected);
      }
      expect(requests(frame([stream], { eof: true }))).to.deep.equal(expected);
    });

    it("accepts empty chunks", () => {
      expect(requests(frame(["", "GET status\n", "", "\n", ""]))).to.deep.equal([["GET status"]]);
    });

    it("skips empty lines before a request (and between requests)", () => {
      expect(requests(frame(["\n\n\nGET status\n\n\n\n\nGET hosts\n\n"]))).to.deep.equal([["GET status"], ["GET hosts"]]);
    });

    it("strips a trailing \\r from each line and ends a CRLF request at \\r\\n\\r\\n", () => {
      expect(requests(frame(["GET hosts\r\nColumns: name\r\nKeepAlive: on\r\n\r\n"]))).to.deep.equal([["GET hosts", "Columns: name", "KeepAlive: on"]]);
    });

    it("right-strips trailing ASCII whitespace but keeps leading whitespace and non-ASCII spaces", () => {
      expect(requests(frame(["GET hosts \t\nFilter: name = a b  \n  Columns: name\nFilter: x = y\u00a0\n\n"]))).to.deep.equal([
        ["GET hosts", "Filter: name = a b", "  Columns: name", "Filter: x = y\u00a0"],
      ]);
    });

    it("ends a request at a line holding only whitespace (it is empty once stripped)", () => {
      expect(requests(frame(["GET status\n \t \nGET hosts\n\n"]))).to.deep.equal([["GET status"], ["GET hosts"]]);
    });

    it("keeps an operand's inner spaces and an empty operand", () => {
      expect(requests(frame(["GET services\nFilter: plugin_output ~ disk full\nFilter: groups =\n\n"]))).to.deep.equal([
        ["GET services", "Filter: plugin_output ~ disk full", "Filter: groups ="],
      ]);
    });

    it("decodes UTF-8 whose bytes are split across chunks", () => {
      const buf = bytes("COMMAND [1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;café 😀 日本\n\n");
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i++) chunks.push(buf.subarray(i, i + 1));
      expect(requests(frame(chunks))).to.deep.equal([["COMMAND [1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;café 😀 日本"]]);
    });

    it("reuses its buffer across requests without leaking bytes from the previous one", () => {
      const framer = new RequestFramer();
      const long = "GET services\nColumns: host_name description state plugin_output\nFilter: state > 0\n";
      const events: FramerEvent[] = [];
      for (const piece of [long.slice(0, 30), long.slice(30), "\n", "GET st", "atus\n", "\n", "GET h", "osts\n\n"]) {
        events.push(...framer.feed(bytes(piece)));
      }
      expect(requests(events)).to.deep.equal([
        ["GET services", "Columns: host_name description state plugin_output", "Filter: state > 0"],
        ["GET status"],
        ["GET hosts"],
      ]);
    });

    it("assembles a 64 KiB request dribbled byte by byte", () => {
      const filters = Array.from({ length: 3000 }, (_, i) => `Filter: name = host-${String(i).padStart(5, "0")}`);
      const buf = bytes(["GET hosts", ...filters, `Or: ${filters.length}`, ""].join("\n") + "\n");
      expect(buf.length).to.be.greaterThan(64 * 1024);
      const framer = new RequestFramer();
      const events: FramerEvent[] = [];
      for (let i = 0; i < buf.length; i++) events.push(...framer.feed(buf.subarray(i, i + 1)));
      const [request] = requests(events);
      expect(request).to.have.length(3002);
      expect(request?.[3000]).to.equal("Filter: name = host-02999");
    });

    it("does not keep references to the caller's chunks", () => {
      const framer = new RequestFramer();
      const chunk = bytes("GET hosts\nColumns: name");
      framer.feed(chunk);
      chunk.fill(0x41); // the socket may reuse its buffer
      expect(requests(framer.feed(bytes("\n\n")))).to.deep.equal([["GET hosts", "Columns: name"]]);
    });
  });

  describe("end of stream", () => {
    it("completes a request the client ended with EOF instead of the blank line (docs/livestatus.md §1.1)", () => {
      expect(requests(frame(["COMMAND [1795486937] NO_SUCH_COMMAND;x\n"], { eof: true }))).to.deep.equal([["COMMAND [1795486937] NO_SUCH_COMMAND;x"]]);
    });

    it("completes a request whose last line has no LF", () => {
      expect(requests(frame(["GET hosts\nColumns: name"], { eof: true }))).to.deep.equal([["GET hosts", "Columns: name"]]);
      expect(requests(frame(["GET status\r"], { eof: true }))).to.deep.equal([["GET status"]]);
    });

    it("returns nothing when only blanks or nothing are pending", () => {
      for (const pending of ["", "\n\n", "  ", " \r\n\t"]) {
        const framer = new RequestFramer();
        framer.feed(bytes(pending));
        expect(framer.end(), JSON.stringify(pending)).to.equal(undefined);
      }
    });

    it("returns nothing after the last request was complete", () => {
      const framer = new RequestFramer();
      expect(requests(framer.feed(bytes("GET status\n\n\n")))).to.deep.equal([["GET status"]]);
      expect(framer.end()).to.equal(undefined);
    });

    it("leaves the framer empty", () => {
      const framer = new RequestFramer();
      framer.feed(bytes("GET hosts\nColumns: na"));
      expect(framer.end()).to.deep.equal({ kind: "request", lines: ["GET hosts", "Columns: na"] });
      expect(framer.bufferedBytes).to.equal(0);
      expect(framer.end()).to.equal(undefined);
    });
  });

  describe("invalid UTF-8", () => {
    it("yields a 400 error with the lossy lines, and keeps framing the next requests", () => {
      const events = frame([
        Buffer.concat([bytes("GET hosts\nFilter: name = caf"), Buffer.from([0xe9]), bytes("\nResponseHeader: fixed16\n\nGET status\n\n")]),
      ]);
      expect(events).to.have.length(2);
      const [bad, next] = events;
      if (bad?.kind !== "invalid-utf8") throw new Error(`expected invalid-utf8, got ${bad?.kind ?? "nothing"}`);
      expect(bad.error).to.be.instanceOf(LivestatusError);
      expect(bad.error.status).to.equal(400);
      expect(bad.error.message).to.match(/UTF-8/);
      expect(bad.lines).to.deep.equal(["GET hosts", "Filter: name = caf\ufffd", "ResponseHeader: fixed16"]);
      expect(next).to.deep.equal({ kind: "request", lines: ["GET status"] });
    });

    it("rejects overlong encodings and encoded surrogates, and a truncated sequence at EOF", () => {
      for (const seq of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff]]) {
        const events = frame([Buffer.concat([bytes("GET x"), Buffer.from(seq), bytes("\n\n")])]);
        expect(
          events.map((e) => e.kind),
          String(seq),
        ).to.deep.equal(["invalid-utf8"]);
      }
      const framer = new RequestFramer();
      framer.feed(Buffer.concat([bytes("GET caf"), Buffer.from([0xc3])]));
      expect(framer.end()?.kind).to.equal("invalid-utf8");
    });

    it("drops a UTF-8 byte order mark at the start of a request", () => {
      expect(requests(frame([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes("GET status\n\n")])]))).to.deep.equal([["GET status"]]);
    });
  });

  describe("size cap", () => {
    it("defaults to 1 MiB and rejects a non-positive or fractional cap", () => {
      expect(DEFAULT_MAX_REQUEST_BYTES).to.equal(1024 * 1024);
      for (const max of [0, -1, 1.5, Number.NaN]) {
        expect(() => new RequestFramer({ maxRequestBytes: max }), String(max)).to.throw(RangeError);
      }
    });

    it("accepts a request of exactly the cap (blank line included) and rejects one byte more", () => {
      const request = "GET status\nColumns: num_hosts\n\n"; // 31 bytes
      expect(Buffer.byteLength(request)).to.equal(31);
      expect(requests(frame([request], { options: { maxRequestBytes: 31 } }))).to.deep.equal([["GET status", "Columns: num_hosts"]]);
      const events = frame([request], { options: { maxRequestBytes: 30 } });
      expect(events.map((e) => e.kind)).to.deep.equal(["too-large"]);
    });

    it("counts the cap per request, not per connection, and not the skipped blank lines", () => {
      const request = "GET status\nColumns: num_hosts\n\n";
      const events = frame(["\n\n\n\n" + request.repeat(50)], { options: { maxRequestBytes: 31 } });
      expect(events.map((e) => e.kind)).to.deep.equal(new Array(50).fill("request"));
    });

    it("yields the 413 error after the requests that precede it, then stops for good", () => {
      const framer = new RequestFramer({ maxRequestBytes: 64 });
      const events = framer.feed(bytes("GET status\n\nGET hosts\nColumns: " + "x".repeat(100) + "\n\nGET status\n\n"));
      expect(events.map((e) => e.kind)).to.deep.equal(["request", "too-large"]);
      const tooLarge = events[1];
      if (tooLarge?.kind !== "too-large") throw new Error("expected too-large");
      expect(tooLarge.error).to.be.instanceOf(LivestatusError);
      expect(tooLarge.error.status).to.equal(413);
      expect(tooLarge.error.message).to.equal("Request too large: more than 64 bytes");
      expect(tooLarge.maxRequestBytes).to.equal(64);
      expect(framer.isStopped).to.equal(true);
      expect(framer.bufferedBytes).to.equal(0);
      // The stream is out of sync: even well-formed requests after it are ignored.
      expect(framer.feed(bytes("GET status\n\n"))).to.deep.equal([]);
      expect(framer.end()).to.equal(undefined);
    });

    it("rejects a 10 MB request fed in 64 KiB chunks with bounded memory", () => {
      const cap = DEFAULT_MAX_REQUEST_BYTES;
      const framer = new RequestFramer();
      const chunkSize = 64 * 1024;
      const line = bytes("Filter: name = " + "h".repeat(100) + "\n");
      const chunk = Buffer.alloc(chunkSize);
      for (let o = 0; o < chunkSize; o += line.length) line.copy(chunk, o); // lines cut at chunk edges too
      const total = 10 * 1024 * 1024;
      let fed = 0;
      let maxBuffered = 0;
      let failedAt = -1;
      const events: FramerEvent[] = [];
      const heapBefore = process.memoryUsage().arrayBuffers;
      framer.feed(bytes("GET hosts\n"));
      while (fed < total) {
        const got = framer.feed(chunk);
        fed += chunk.length;
        if (got.length > 0 && failedAt < 0) failedAt = fed;
        events.push(...got);
        maxBuffered = Math.max(maxBuffered, framer.bufferedBytes);
      }
      events.push(...framer.feed(bytes("\n\n")));
      expect(events.map((e) => e.kind)).to.deep.equal(["too-large"]);
      // Detected within one chunk of crossing the cap, never holding more than the cap.
      expect(failedAt).to.be.within(cap, cap + chunkSize);
      expect(maxBuffered).to.be.at.most(cap);
      expect(framer.bufferedBytes).to.equal(0);
      // Retained external memory stays in the order of the cap, not the 10 MB fed.
      expect(process.memoryUsage().arrayBuffers - heapBefore).to.be.below(4 * cap);
    });

    it("rejects a 10 MB request arriving complete in one chunk", () => {
      const big = bytes("GET hosts\nFilter: name = " + "x".repeat(10 * 1024 * 1024) + "\n\n");
      const framer = new RequestFramer();
      expect(framer.feed(big).map((e) => e.kind)).to.deep.equal(["too-large"]);
      expect(framer.bufferedBytes).to.equal(0);
    });

    it("rejects a flood of blanks without a newline (it could still become a request)", () => {
      const framer = new RequestFramer({ maxRequestBytes: 1000 });
      const spaces = Buffer.alloc(300, 0x20);
      const kinds: string[] = [];
      for (let i = 0; i < 10; i++) kinds.push(...framer.feed(spaces).map((e) => e.kind));
      expect(kinds).to.deep.equal(["too-large"]);
    });

    it("buffers nothing for a flood of empty lines", () => {
      const framer = new RequestFramer({ maxRequestBytes: 1000 });
      const newlines = Buffer.alloc(64 * 1024, 0x0a);
      for (let i = 0; i < 160; i++) expect(framer.feed(newlines)).to.deep.equal([]);
      expect(framer.bufferedBytes).to.equal(0);
      expect(requests(framer.feed(bytes("GET status\n\n")))).to.deep.equal([["GET status"]]);
    });
  });
});

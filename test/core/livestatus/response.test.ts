import { expect } from "chai";
import { DEFAULT_SEPARATORS } from "../../../core/livestatus/protocol/query";
import { renderBody } from "../../../core/livestatus/render/render";
import { FIXED16_HEADER_BYTES, errorBody, frameResponse } from "../../../core/livestatus/protocol/response";

/** The response exactly as docs/reference-answers.md prints it (escaped string, Latin-1 for the raw UTF-8 bytes). */
function wire(escaped: string): Buffer {
  return Buffer.from(escaped, "latin1");
}

describe("livestatus frameResponse", () => {
  it("prefixes the 16-byte header `%3d %11d\\n` [ref §2 json + fixed16]", () => {
    const body = '[["host-0002",0], ["host-0003",0], ["host-0001",0]]';
    const framed = frameResponse(200, body, true);
    expect(framed).to.deep.equal(wire('200          51\n[["host-0002",0], ["host-0003",0], ["host-0001",0]]'));
    expect(framed.subarray(0, FIXED16_HEADER_BYTES).toString("latin1")).to.equal("200          51\n");
    expect(FIXED16_HEADER_BYTES).to.equal(16);
  });

  it("frames an empty body as `200           0\\n` [ref §5 empty result, csv]", () => {
    expect(frameResponse(200, "", true)).to.deep.equal(wire("200           0\n"));
  });

  it('counts UTF-8 bytes, not characters: é and " in the body [ref §3 special characters, csv]', () => {
    const body = 'host-0003;svc-02;1;WARN - café "quoted" back\\slash; semi,comma;a=1;2;3 b=4%\n';
    expect(body.length).to.equal(76);
    const framed = frameResponse(200, body, true);
    expect(framed).to.deep.equal(wire('200          77\nhost-0003;svc-02;1;WARN - caf\xc3\xa9 "quoted" back\\slash; semi,comma;a=1;2;3 b=4%\n'));
    expect(framed.length).to.equal(16 + 77);
  });

  it("counts the bytes of the JSON rendering with é and escaped quotes", () => {
    const body = renderBody("json", undefined, [['café "x"']], DEFAULT_SEPARATORS);
    expect(body).to.equal('[["café \\"x\\""]]\n');
    const framed = frameResponse(200, body, true);
    expect(framed.subarray(0, 16).toString("latin1")).to.equal(`200 ${"18".padStart(11)}\n`);
    expect(framed.subarray(16).toString("utf8")).to.equal(body);
  });

  it("counts 4-byte characters and lone surrogates as they are encoded", () => {
    for (const body of ["😀", "a\ud800b", "日本語"]) {
      const framed = frameResponse(200, body, true);
      const declared = Number(framed.subarray(4, 15).toString("latin1"));
      expect(declared, body).to.equal(framed.length - 16);
      expect(framed.subarray(16)).to.deep.equal(Buffer.from(body, "utf8"));
    }
    expect(Number(frameResponse(200, "😀", true).subarray(4, 15).toString("latin1"))).to.equal(4);
  });

  it("frames an error with its message and a final newline [ref §6 unknown table, plus Checkmk's \\n]", () => {
    const framed = frameResponse(404, errorBody("Table 'nosuchtable' does not exist."), true);
    expect(framed).to.deep.equal(wire("404          36\nTable 'nosuchtable' does not exist.\n"));
  });

  it("without fixed16 the answer is the bare body, errors included", () => {
    expect(frameResponse(200, "host-0002;0\n", false)).to.deep.equal(wire("host-0002;0\n"));
    expect(frameResponse(400, errorBody("Foo: undefined request header"), false)).to.deep.equal(wire("Foo: undefined request header\n"));
    expect(frameResponse(200, "café", false)).to.deep.equal(Buffer.from("café", "utf8"));
    expect(frameResponse(200, "", false).length).to.equal(0);
  });

  it("returns one Buffer holding header and body (one write per answer)", () => {
    const framed = frameResponse(413, errorBody("Request too large"), true);
    expect(Buffer.isBuffer(framed)).to.equal(true);
    expect(framed.toString("latin1")).to.equal("413          18\nRequest too large\n");
  });

  it("right-aligns large lengths in 11 columns", () => {
    const body = "x".repeat(1234567);
    const framed = frameResponse(200, body, true);
    expect(framed.subarray(0, 16).toString("latin1")).to.equal("200     1234567\n");
    expect(framed.length).to.equal(16 + 1234567);
  });

  it("rejects a status that is not a 3-digit integer", () => {
    for (const status of [0, 99, 1000, 200.5, Number.NaN]) {
      expect(() => frameResponse(status, "", true), String(status)).to.throw(RangeError);
    }
  });
});

describe("livestatus errorBody", () => {
  it("is the message plus a newline", () => {
    expect(errorBody("Invalid request method")).to.equal("Invalid request method\n");
    expect(errorBody("")).to.equal("\n");
  });
});

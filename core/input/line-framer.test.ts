import { expect } from "chai";
import { LineFramer, TOO_LONG } from "./line-framer";

/** Every line (as text, TOO_LONG as "<too long N>") the framer gives for these chunks. */
function frames(framer: LineFramer, ...chunks: (string | Buffer)[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    framer.push(typeof c === "string" ? Buffer.from(c) : c);
    for (let f = framer.next(); f !== undefined; f = framer.next()) out.push(f === TOO_LONG ? `<too long ${framer.discardedBytes}>` : f.toString("utf8"));
  }
  return out;
}

describe("line framer", () => {
  it("splits on \\n across and within chunks, strips one \\r", () => {
    const f = new LineFramer(100);
    expect(frames(f, "a\nb", "c\r\nd\r\r\n", "\n", "e")).to.deep.equal(["a", "bc", "d\r", ""]);
    expect(f.takeTail()?.toString()).to.equal("e");
    expect(f.takeTail()).to.equal(undefined);
  });

  it("reassembles a character split across chunks before anything decodes it", () => {
    const euro = Buffer.from("€"); // E2 82 AC
    const f = new LineFramer(100);
    expect(frames(f, Buffer.from("x"), euro.subarray(0, 1), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), Buffer.from("y\n")]))).to.deep.equal(["x€y"]);
  });

  it("strips a UTF-8 BOM at the start of the stream only, even split across chunks", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const f = new LineFramer(100);
    const lines: Buffer[] = [];
    f.push(bom.subarray(0, 2));
    f.push(Buffer.concat([bom.subarray(2), Buffer.from("a\n"), bom, Buffer.from("b\n")]));
    for (let l = f.next(); l !== undefined; l = f.next()) if (l !== TOO_LONG) lines.push(l);
    expect(lines.map((l) => l.toString("hex"))).to.deep.equal([Buffer.from("a").toString("hex"), Buffer.concat([bom, Buffer.from("b")]).toString("hex")]);
  });

  it("takes a line of exactly max bytes, reports a longer one once and goes on after its \\n", () => {
    const f = new LineFramer(10);
    expect(frames(f, `${"x".repeat(10)}\n${"y".repeat(11)}\nok\n`)).to.deep.equal(["x".repeat(10), "<too long 11>", "ok"]);
  });

  it("keeps memory bounded on a 1 MB line without \\n, reports it once, and resumes after the \\n", () => {
    const f = new LineFramer(1024);
    const out: string[] = [];
    let most = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    out.push(...frames(f, "before\n"));
    for (let i = 0; i < 16; i++) {
      out.push(...frames(f, chunk));
      most = Math.max(most, f.bufferedBytes);
    }
    out.push(...frames(f, "still the long line\nafter\n"));
    expect(out).to.deep.equal(["before", `<too long ${64 * 1024}>`, "after"]);
    expect(most).to.be.at.most(1024);
  });

  it("counts the pieces of a line across chunks against the limit", () => {
    const f = new LineFramer(8);
    expect(frames(f, "12345", "6789", "0\nok\n")).to.deep.equal(["<too long 9>", "ok"]);
    const g = new LineFramer(8);
    expect(frames(g, "1234", "5678\n")).to.deep.equal(["12345678"]);
  });

  it("has no tail after discarding an over-long unterminated line", () => {
    const f = new LineFramer(4);
    expect(frames(f, "123456")).to.deep.equal(["<too long 6>"]);
    expect(f.takeTail()).to.equal(undefined);
  });

  it("gives lines one at a time, so a reader can stop and go on later", () => {
    const f = new LineFramer(100);
    f.push(Buffer.from("1\n2\n3"));
    expect(f.next()?.toString()).to.equal("1");
    f.push(Buffer.from("\n4\n"));
    const rest: string[] = [];
    for (let l = f.next(); l !== undefined; l = f.next()) rest.push(l.toString());
    expect(rest).to.deep.equal(["2", "3", "4"]);
    expect(f.bufferedBytes).to.equal(0);
  });

  it("frames 1000 lines of one chunk, keeping the unterminated last one", () => {
    const f = new LineFramer(100);
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const lines = frames(f, text);
    expect(lines).to.have.length(999);
    expect(lines[998]).to.equal("line 998");
    expect(f.takeTail()?.toString()).to.equal("line 999");
  });

  it("drops the unfinished line on request (a FIFO writer that stopped mid-line), and an over-long one being skipped", () => {
    const f = new LineFramer(10);
    expect(frames(f, "a\nhalf")).to.deep.equal(["a"]);
    expect(f.dropPartial()).to.equal(4);
    expect(frames(f, "next\n")).to.deep.equal(["next"]);
    expect(frames(f, "x".repeat(20))).to.deep.equal(["<too long 20>"]);
    f.dropPartial();
    expect(frames(f, "fresh\n")).to.deep.equal(["fresh"]);
  });
});

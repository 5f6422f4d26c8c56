import { expect } from "chai";
import { DeadlineHeap } from "../../../core/state/deadline-heap";

describe("DeadlineHeap", () => {
  it("pops entries in deadline order whatever the push order", () => {
    const heap = new DeadlineHeap();
    const ats = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const at of ats) heap.push({ at, hostname: "h", check: String(at) });
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([...ats].sort((a, b) => a - b));
  });

  it("compact() keeps the entries given a deadline, moved to it, in order", () => {
    const heap = new DeadlineHeap();
    for (let i = 0; i < 100; i++) heap.push({ at: 100 - i, hostname: "h", check: `k${i}` });
    heap.compact((_, check) => {
      const i = Number(check.slice(1));
      return i >= 90 ? 1000 - i : undefined;
    });
    expect(heap.size).to.equal(10);
    const out: string[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(`${e.check}@${e.at}`);
    expect(out).to.deep.equal(["k99@901", "k98@902", "k97@903", "k96@904", "k95@905", "k94@906", "k93@907", "k92@908", "k91@909", "k90@910"]);
  });

  it("gives back each entry's host and check with its deadline", () => {
    const heap = new DeadlineHeap();
    heap.push({ at: 30, hostname: "web1", check: "disk" });
    heap.push({ at: 10, hostname: "web2", check: "Host" });
    heap.push({ at: 20, hostname: "web1", check: "load" });
    expect(heap.peekAt()).to.equal(10);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).to.deep.equal([
      { at: 10, hostname: "web2", check: "Host" },
      { at: 20, hostname: "web1", check: "load" },
      { at: 30, hostname: "web1", check: "disk" },
      undefined,
    ]);
    expect(heap.peekAt()).to.equal(undefined);
  });

  it("compact() makes a heap again of live entries left in any order (bottom-up, without a sort)", () => {
    const heap = new DeadlineHeap();
    const ats = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1009);
    ats.forEach((at, i) => heap.push({ at, hostname: `h${i}`, check: "c" }));
    heap.compact((hostname) => {
      const i = Number(hostname.slice(1));
      return i % 3 !== 0 ? ats[i] : undefined;
    });
    heap.push({ at: -1, hostname: "first", check: "c" });
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([-1, ...ats.filter((_, i) => i % 3 !== 0).sort((a, b) => a - b)]);
  });
});

import { expect } from "chai";
import { DeadlineHeap } from "../../../core/state/deadline-heap";

describe("DeadlineHeap", () => {
  it("pops entries in deadline order whatever the push order", () => {
    const heap = new DeadlineHeap();
    const ats = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const at of ats) heap.push({ at, hostname: "h", check: String(at), version: 0 });
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([...ats].sort((a, b) => a - b));
  });

  it("compact() keeps the live entries, still in order", () => {
    const heap = new DeadlineHeap();
    for (let i = 0; i < 100; i++) heap.push({ at: 100 - i, hostname: "h", check: `k${i % 10}`, version: i });
    heap.compact((e) => e.version >= 90);
    expect(heap.size).to.equal(10);
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("gives back each entry's host, check and version with its deadline", () => {
    const heap = new DeadlineHeap();
    heap.push({ at: 30, hostname: "web1", check: "disk", version: 3 });
    heap.push({ at: 10, hostname: "web2", check: "Host", version: 1.5 });
    heap.push({ at: 20, hostname: "web1", check: "load", version: 2 });
    expect(heap.peekAt()).to.equal(10);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).to.deep.equal([
      { at: 10, hostname: "web2", check: "Host", version: 1.5 },
      { at: 20, hostname: "web1", check: "load", version: 2 },
      { at: 30, hostname: "web1", check: "disk", version: 3 },
      undefined,
    ]);
    expect(heap.peekAt()).to.equal(undefined);
  });

  it("compact() makes a heap again of live entries left in any order (bottom-up, without a sort)", () => {
    const heap = new DeadlineHeap();
    const ats = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1009);
    ats.forEach((at, i) => heap.push({ at, hostname: `h${i}`, check: "c", version: i }));
    heap.compact((e) => e.version % 3 !== 0);
    heap.push({ at: -1, hostname: "first", check: "c", version: 0 });
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([-1, ...ats.filter((_, i) => i % 3 !== 0).sort((a, b) => a - b)]);
  });
});

import { expect } from "chai";
import { DeadlineHeap } from "../../../core/state/deadline-heap";

describe("DeadlineHeap", () => {
  it("pops entries in deadline order whatever the push order", () => {
    const heap = new DeadlineHeap();
    const ats = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const at of ats) heap.push({ at, hostname: String(at), check: "c", version: 0 });
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([...ats].sort((a, b) => a - b));
  });

  it("compact() keeps the live entries, still in order", () => {
    const heap = new DeadlineHeap();
    for (let i = 0; i < 100; i++) heap.push({ at: 100 - i, hostname: `k${i % 10}`, check: "c", version: i });
    heap.compact((e) => e.version >= 90);
    expect(heap.size).to.equal(10);
    const out: number[] = [];
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e.at);
    expect(out).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
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

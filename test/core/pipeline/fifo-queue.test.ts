import { expect } from "chai";
import { FifoQueue } from "../../../core/pipeline/fifo-queue";

function filled(n: number, from = 0): FifoQueue<number> {
  const q = new FifoQueue<number>();
  for (let i = from; i < from + n; i++) q.push(i);
  return q;
}

describe("FifoQueue", () => {
  it("starts empty", () => {
    const q = new FifoQueue<string>();
    expect(q.length).to.equal(0);
    expect(q.peek(5)).to.deep.equal([]);
  });

  it("hands items out in the order they were pushed", () => {
    const q = new FifoQueue<string>();
    for (const s of ["a", "b", "c", "d"]) q.push(s);
    expect(q.length).to.equal(4);
    expect(q.peek(4)).to.deep.equal(["a", "b", "c", "d"]);
  });

  it("peek leaves the items in the queue and returns at most what there is", () => {
    const q = filled(3);
    expect(q.peek(2)).to.deep.equal([0, 1]);
    expect(q.peek(2)).to.deep.equal([0, 1]);
    expect(q.peek(10)).to.deep.equal([0, 1, 2]);
    expect(q.peek(0)).to.deep.equal([]);
    expect(q.length).to.equal(3);
  });

  it("peek returns a copy: changing it does not change the queue", () => {
    const q = filled(3);
    const p = q.peek(3);
    p.length = 0;
    expect(q.peek(3)).to.deep.equal([0, 1, 2]);
  });

  it("drop removes from the front", () => {
    const q = filled(5);
    q.drop(2);
    expect(q.length).to.equal(3);
    expect(q.peek(5)).to.deep.equal([2, 3, 4]);
    q.drop(1);
    expect(q.peek(5)).to.deep.equal([3, 4]);
  });

  it("drop of more than the length empties the queue, and it can be used again", () => {
    const q = filled(3);
    q.drop(10);
    expect(q.length).to.equal(0);
    expect(q.peek(1)).to.deep.equal([]);
    q.push(42);
    expect(q.length).to.equal(1);
    expect(q.peek(1)).to.deep.equal([42]);
  });

  it("drop(0) changes nothing", () => {
    const q = filled(3);
    q.drop(0);
    expect(q.peek(3)).to.deep.equal([0, 1, 2]);
  });

  it("keeps order across a compaction (head reaching half of the array)", () => {
    const q = filled(10);
    q.drop(4); // below half: no compaction
    expect(q.peek(10)).to.deep.equal([4, 5, 6, 7, 8, 9]);
    q.drop(1); // head 5 of 10: compacts
    expect(q.length).to.equal(5);
    expect(q.peek(10)).to.deep.equal([5, 6, 7, 8, 9]);
    q.push(10);
    q.drop(3);
    expect(q.peek(10)).to.deep.equal([8, 9, 10]);
  });

  it("keeps order and length across many push/drop cycles of varying sizes", () => {
    const q = new FifoQueue<number>();
    const model: number[] = [];
    let next = 0;
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let cycle = 0; cycle < 2000; cycle++) {
      const pushes = rand(7);
      for (let i = 0; i < pushes; i++) {
        q.push(next);
        model.push(next);
        next++;
      }
      const drops = rand(8);
      const peeked = q.peek(drops);
      expect(peeked).to.deep.equal(model.slice(0, drops));
      q.drop(drops);
      model.splice(0, drops);
      expect(q.length).to.equal(model.length);
    }
    expect(q.peek(model.length + 1)).to.deep.equal(model);
    // Everything taken out came out exactly once, in order: what is left is a contiguous tail.
    if (model.length > 0) expect(model).to.deep.equal(Array.from({ length: model.length }, (_, i) => next - model.length + i));
  });

  it("drains a long queue one by one in order", () => {
    const q = filled(1000);
    const out: number[] = [];
    while (q.length > 0) {
      out.push(...q.peek(1));
      q.drop(1);
    }
    expect(out).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
  });
});

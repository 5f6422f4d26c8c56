import { expect } from "chai";
import { LoopTurns } from "../../../core/net/loop-turns";

/** Resolves after `n` turns of the event loop (each setImmediate runs in the next turn's check phase). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe("LoopTurns: work that does not fit a turn's budget waits its turn", () => {
  let now: number;
  const clock = (): number => now;
  beforeEach(() => (now = 1000));

  it("lets work start at once while the turn's budget lasts, and not after", () => {
    const t = new LoopTurns(4, clock);
    expect(t.mayStart()).to.equal(true);
    now += 3.9;
    expect(t.spent()).to.equal(false);
    expect(t.mayStart()).to.equal(true);
    now += 0.1;
    expect(t.spent()).to.equal(true);
    expect(t.mayStart()).to.equal(false);
  });

  it("gives every turn a whole budget again", async () => {
    const t = new LoopTurns(4, clock);
    t.mayStart();
    now += 10;
    expect(t.mayStart()).to.equal(false);
    await turns(1);
    expect(t.mayStart()).to.equal(true);
  });

  it("resumes waiting work first come first served, a budget's worth per turn, and nothing new jumps the queue", async () => {
    const t = new LoopTurns(4, clock);
    t.mayStart();
    now += 5;
    const ran: string[] = [];
    // Each unit costs 1.5 ms: two fit a turn's 4 ms, the third starts at 3 ms and ends the turn.
    for (const name of ["a", "b", "c", "d", "e"]) {
      t.wait(() => {
        ran.push(name);
        now += 1.5;
      });
    }
    expect(t.mayStart(), "work waits: a newcomer queues behind it").to.equal(false);
    expect(ran).to.deep.equal([]);
    await turns(1);
    expect(ran).to.deep.equal(["a", "b", "c"]);
    expect(t.waitingCount).to.equal(2);
    await turns(1);
    expect(ran).to.deep.equal(["a", "b", "c", "d", "e"]);
    expect(t.mayStart()).to.equal(true);
  });

  it("while connections are being accepted, starts one unit per turn so that the next accept comes soon", async () => {
    const t = new LoopTurns(4, clock);
    const ran: number[] = [];
    t.accepted();
    expect(t.mayStart(), "nothing more starts in a turn that accepted").to.equal(false);
    for (let i = 0; i < 3; i++) t.wait(() => void ran.push(i));
    await turns(1);
    expect(ran).to.deep.equal([0]);
    // No accept in that turn: the next one runs a whole budget (the units cost nothing here).
    await turns(1);
    expect(ran).to.deep.equal([0, 1, 2]);
  });

  it("makes progress with a budget of 0: one unit per turn", async () => {
    const t = new LoopTurns(0, clock);
    const ran: number[] = [];
    t.mayStart();
    for (let i = 0; i < 3; i++) t.wait(() => void ran.push(i));
    await turns(1);
    expect(ran).to.deep.equal([0]);
    await turns(2);
    expect(ran).to.deep.equal([0, 1, 2]);
  });
});

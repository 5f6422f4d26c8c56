import { expect } from "chai";
import { AuthLockout } from "./auth-lockout";

describe("AUTH lock-out", () => {
  it("locks out after maxFailures within 10 minutes, doubling each time up to an hour; forgets after an hour without failure", () => {
    let now = 1_000_000;
    const l = new AuthLockout({ now: () => now }, 3, 60_000);
    expect([l.failed("a"), l.failed("a"), l.lockedFor("a")]).to.deep.equal([0, 0, 0]);
    expect(l.failed("a")).to.equal(60_000);
    expect([l.lockedFor("a"), l.lockedFor("b")]).to.deep.equal([60_000, 0]);
    now += 60_000;
    expect(l.lockedFor("a")).to.equal(0);
    const lockouts: number[] = [];
    for (let round = 0; round < 8; round++) {
      l.failed("a");
      l.failed("a");
      lockouts.push(l.failed("a"));
      now += lockouts[lockouts.length - 1]!;
    }
    expect(lockouts).to.deep.equal([120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000]);
    now += 60 * 60_000 + 1;
    l.failed("a");
    l.failed("a");
    expect(l.failed("a")).to.equal(60_000);
  });

  it("starts the count again when failures are more than 10 minutes apart", () => {
    let now = 0;
    const l = new AuthLockout({ now: () => now }, 2, 60_000);
    l.failed("a");
    now += 10 * 60_000 + 1;
    expect(l.failed("a")).to.equal(0);
    expect(l.failed("a")).to.equal(60_000);
  });

  it("is off with 0 failures or a 0 lock-out", () => {
    const off = new AuthLockout({ now: () => 0 }, 0, 60_000);
    const zero = new AuthLockout({ now: () => 0 }, 1, 0);
    for (let i = 0; i < 10; i++) expect([off.failed("a"), zero.failed("a")]).to.deep.equal([0, 0]);
  });
});

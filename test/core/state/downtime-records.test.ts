import { expect } from "chai";
import { downtimeRecords, type Downtime } from "../../../core/state/downtime";

function downtime(id: number, triggeredBy: number, activeSince = 0): Downtime {
  return {
    id,
    hostname: "web1",
    check: "disk",
    author: "a",
    comment: "c",
    entryTime: 0,
    startTime: 0,
    endTime: 100,
    fixed: true,
    duration: 100,
    triggeredBy,
    activeSince,
  };
}

describe("downtime records", () => {
  it("count the downtimes that wait for a trigger through puts, replacements and deletes", () => {
    const records = downtimeRecords();
    records.put(downtime(1, 0));
    expect(records.tallied).to.equal(0);
    records.put(downtime(2, 1));
    records.put(downtime(3, 1));
    records.put(downtime(2, 1, 50)); // started: replaced, still one of two
    expect(records.tallied).to.equal(2);
    records.delete(2);
    expect(records.tallied).to.equal(1);
    records.delete(3);
    records.delete(3); // already gone: counted once
    expect(records.tallied).to.equal(0);
    records.put(downtime(3, 1)); // a rollback puts it back
    expect(records.tallied).to.equal(1);
  });
});

import { expect } from "chai";
import { DowntimeRecords, type Downtime } from "../../../core/state/downtime";

function downtime(id: number, triggeredBy: number, activeSince = 0): Downtime {
  return { id, hostname: "web1", check: "disk", author: "a", comment: "c", entryTime: 0, startTime: 0, endTime: 100, fixed: true, duration: 100, triggeredBy, activeSince };
}

describe("DowntimeRecords", () => {
  it("knows whether a downtime waits for a trigger through puts, replacements and deletes", () => {
    const records = new DowntimeRecords();
    records.put(downtime(1, 0));
    expect(records.anyTriggered).to.equal(false);
    records.put(downtime(2, 1));
    records.put(downtime(3, 1));
    records.put(downtime(2, 1, 50)); // started: replaced, still one of two
    expect(records.anyTriggered).to.equal(true);
    records.delete(2);
    expect(records.anyTriggered).to.equal(true);
    records.delete(3);
    records.delete(3); // already gone: counted once
    expect(records.anyTriggered).to.equal(false);
    records.put(downtime(3, 1)); // a rollback puts it back
    expect(records.anyTriggered).to.equal(true);
  });
});

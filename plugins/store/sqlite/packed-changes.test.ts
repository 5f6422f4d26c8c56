import { expect } from "chai";
import { logEntry } from "../../../core/state/log-entry";
// The check states of the store tests (the Elasticsearch store's kit serves both stores).
import { state as storedState } from "../elasticsearch/test-kit";
import { CHECK_STRINGS, checkParamsInto, fromWire, packChecks, packLog, transferList } from "./packed-changes";

describe("packed changes (the writer thread's wire format)", () => {
  it("cuts every string out again as it was: empty ones, non-ASCII, surrogate pairs, control characters", () => {
    const states = [
      storedState("web1", "disk", { output: "DISK OK - 42% | used=42%", longOutput: "line 1\nline 2", contacts: ["ops", "dba"] }),
      storedState("hôte-ü", "☃ snow", { output: "😀 pair and \u0000 NUL and \u0001", customVariables: { SITE: "paris" } }),
      storedState("h", "", { output: "", acknowledgement: { type: 1, author: "ann", comment: "on it", time: 5, expireTime: 0 } }),
    ];
    const wire = packChecks(states, 0, states.length);
    expect(wire.lengths.length).to.equal(states.length * CHECK_STRINGS);
    const rows = fromWire(wire);
    expect(rows.strings.slice(0, 5)).to.deep.equal(["web1", "disk", "DISK OK - 42% | used=42%", "line 1\nline 2", ""]);
    expect(rows.strings[5]).to.equal('["ops","dba"]');
    expect(rows.strings.slice(CHECK_STRINGS, CHECK_STRINGS + 3)).to.deep.equal(["hôte-ü", "☃ snow", "😀 pair and \u0000 NUL and \u0001"]);
    expect(rows.strings[CHECK_STRINGS + 8]).to.equal('{"SITE":"paris"}');
    expect(rows.strings.slice(2 * CHECK_STRINGS + 9)).to.deep.equal(["ann", "on it"]);
    expect(rows.numbers).to.equal(wire.numbers);
  });

  it("sends empty lists and records as nothing, and gives the table their JSON back", () => {
    const rows = fromWire(
      packChecks([storedState("web1", "disk", { output: "OK" }), storedState("web2", "disk", { output: "OK", hostgroups: ["dmz"] })], 0, 2),
    );
    expect(rows.strings.slice(5, 9)).to.deep.equal(["", "", "", ""]);
    const params: unknown[] = [];
    checkParamsInto(rows, 0, params, 0);
    checkParamsInto(rows, 1, params, 22);
    expect(params.slice(11, 15)).to.deep.equal(["[]", "[]", "[]", "{}"]);
    expect(params.slice(22 + 11, 22 + 15)).to.deep.equal(["[]", '["dmz"]', "[]", "{}"]);
  });

  it("packs a slice of the states, and log lines the same way", () => {
    const states = [storedState("a", "x", { output: "1" }), storedState("b", "y", { output: "2" }), storedState("c", "z", { output: "3" })];
    expect(fromWire(packChecks(states, 1, 3)).strings.filter((_, i) => i % CHECK_STRINGS === 0)).to.deep.equal(["b", "c"]);
    const entry = logEntry({
      time: 100,
      class: 1,
      type: "SERVICE ALERT",
      hostname: "hôte",
      check: "disk",
      state: 2,
      stateType: "HARD",
      attempt: 1,
      output: "DISK CRITICAL",
      message: "[100] SERVICE ALERT: hôte;disk;CRITICAL;HARD;1;DISK CRITICAL",
    });
    expect(fromWire(packLog([entry])).strings).to.deep.equal([entry.id, "SERVICE ALERT", "hôte", "disk", "HARD", "DISK CRITICAL", entry.message]);
  });

  it("transfers both buffers (the main thread keeps no copy)", () => {
    const wire = packChecks([storedState("a", "x", { output: "1" })], 0, 1);
    expect(transferList(wire)).to.deep.equal([wire.lengths.buffer, wire.numbers.buffer]);
  });
});

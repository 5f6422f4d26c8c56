import { expect } from "chai";
import { perfLabels } from "./perf-labels";

describe("perfLabels", () => {
  it("reads plain and quoted labels, with '' for a quote inside a quoted one", () => {
    expect(perfLabels("load=0.1;1;2 'disk /'=5;8;9 'it''s=odd'=1 load=0.2")).to.deep.equal(["load", "disk /", "it's=odd"]);
  });

  it("skips tokens without a value, empty labels and an unterminated quote's missing value", () => {
    expect(perfLabels("  noise ''=1 =2 ok=1 'open")).to.deep.equal(["ok"]);
  });
});

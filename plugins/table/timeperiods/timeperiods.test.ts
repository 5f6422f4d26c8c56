import { expect } from "chai";
import { column, expectReadmeListsColumns, readPluginReadme, record, select, built } from "../../../test/helpers/table-kit";
import timeperiodsPlugin from "./index";

describe("timeperiods table", () => {
  const table = built(timeperiodsPlugin);

  it("has the one period 24X7, always active", () => {
    expect(record(table, ["name", "alias", "in"])).to.deep.equal([{ name: "24X7", alias: "24 Hours A Day, 7 Days A Week", in: 1 }]);
  });

  it("resolves its columns with the timeperiod_ prefix", () => {
    expect(column(table, "timeperiod_name")).to.equal(column(table, "name"));
    expect(select(table, ["timeperiod_in"])).to.deep.equal([[1]]);
    expect(table.visibleTo).to.equal(undefined);
  });

  it("lists its columns in the README with type and description", () => {
    expectReadmeListsColumns(readPluginReadme("plugins/table/timeperiods"), table.spec.columns);
  });
});

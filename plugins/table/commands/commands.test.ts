import { expect } from "chai";
import {
  answerQuery,
  column,
  expectReadmeListsColumns,
  parseRequest,
  readPluginReadme,
  select,
  T0,
  TableRegistry,
  built,
} from "../../../test/helpers/table-kit";
import commandsPlugin from "./index";

describe("commands table", () => {
  const table = built(commandsPlugin);

  it("is empty: Tantale runs no check commands", () => {
    expect(select(table, ["name", "line"])).to.deep.equal([]);
    expect(table.spec.columns.map((c) => [c.name, c.type])).to.deep.equal([
      ["name", "string"],
      ["line", "string"],
    ]);
  });

  it("still answers the header row in all-columns mode (Nagstamon needs it on empty answers)", async () => {
    const tables = new TableRegistry();
    tables.add(table);
    const request = parseRequest(["GET commands", "OutputFormat: json"], T0);
    if (request.kind !== "get") throw new Error("not a GET");
    const answer = await answerQuery(request, tables, T0);
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal([["name", "line"]]);
  });

  it("resolves its columns with the command_ prefix", () => {
    expect(column(table, "command_name")).to.equal(column(table, "name"));
    expect(column(table, "command_line")).to.equal(column(table, "line"));
  });

  it("lists its columns in the README with type and description", () => {
    expectReadmeListsColumns(readPluginReadme("plugins/table/commands"), table.spec.columns);
  });
});

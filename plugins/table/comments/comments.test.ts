import { expect } from "chai";
import { HOST_CHECK } from "../../../core";
import {
  answerQuery,
  column,
  engineKit,
  type EngineKit,
  expectReadmeListsColumns,
  expectWellTypedColumns,
  parseRequest,
  readPluginReadme,
  record,
  result,
  select,
  T0,
  TableRegistry,
  built,
} from "../../../test/helpers/table-kit";
import { askTable } from "../common/test-group-map";
import { HOST_COLUMNS } from "../common/host-columns";
import { SERVICE_OWN_COLUMN_NAMES } from "../common/object-columns";
import { acknowledge, addComment } from "../common/test-records";
import commentsPlugin from "./index";

/** What Multisite's comments view asks for (Checkmk's painters), with the prefixes it uses. */
const MULTISITE_COMMENT_COLUMNS = [
  "comment_id",
  "comment_author",
  "comment_comment",
  "comment_entry_type",
  "comment_entry_time",
  "comment_expires",
  "comment_expire_time",
  "comment_is_service",
  "comment_type",
  "host_name",
  "service_description",
  "host_state",
  "service_state",
];

/**
 * web1: Host DOWN (contact alice), disk CRITICAL (contact bob), load WARNING, mem OK.
 * db1: Host UP, mysql CRITICAL (contact carol). No comment yet.
 */
async function twoHosts(kit: EngineKit): Promise<void> {
  await kit.write(
    result("web1", HOST_CHECK, 1, { contacts: ["alice"] }),
    result("web1", "disk", 2, { contacts: ["bob"] }),
    result("web1", "load", 1),
    result("web1", "mem", 0),
    result("db1", HOST_CHECK, 0, { contacts: ["carol"] }),
    result("db1", "mysql", 2, { contacts: ["carol"] }),
  );
}

describe("comments table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof commentsPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(commentsPlugin, kit);
    await twoHosts(kit);
  });

  it("has no rows while there is no comment", () => {
    expect(select(table, ["id"])).to.deep.equal([]);
  });

  it("has one row per comment, by id: operators' comments (entry_type 1) and acknowledgements' (4), with the engine's ids", () => {
    const load = acknowledge(kit, "web1", "load", 5, { author: "alice", comment: "looking" });
    const disk = acknowledge(kit, "web1", "disk", 6, { sticky: true, persistent: true, author: "bob", comment: "disk; full", expireTime: T0 + 3600 });
    const host = addComment(kit, "web1", HOST_CHECK, 7.9, { persistent: true, author: "alice", comment: "rebooting" });
    const mysql = addComment(kit, "db1", "mysql", 8, { author: "carol", comment: "known" });
    expect([load, disk, host, mysql]).to.deep.equal([load, disk, host, mysql].sort((a, b) => a - b));
    expect(new Set([load, disk, host, mysql]).size).to.equal(4);
    expect(record(table, [...MULTISITE_COMMENT_COLUMNS, "comment_persistent", "comment_source"])).to.deep.equal([
      {
        comment_id: load,
        comment_author: "alice",
        comment_comment: "looking",
        comment_entry_type: 4,
        comment_entry_time: T0 + 5,
        comment_expires: 0,
        comment_expire_time: 0,
        comment_is_service: 1,
        comment_type: 2,
        host_name: "web1",
        service_description: "load",
        host_state: 1,
        service_state: 1,
        comment_persistent: 0,
        comment_source: 1,
      },
      {
        comment_id: disk,
        comment_author: "bob",
        comment_comment: "disk; full",
        comment_entry_type: 4,
        comment_entry_time: T0 + 6,
        comment_expires: 1,
        comment_expire_time: T0 + 3600,
        comment_is_service: 1,
        comment_type: 2,
        host_name: "web1",
        service_description: "disk",
        host_state: 1,
        service_state: 2,
        comment_persistent: 1,
        comment_source: 1,
      },
      {
        comment_id: host,
        comment_author: "alice",
        comment_comment: "rebooting",
        comment_entry_type: 1,
        comment_entry_time: T0 + 7,
        comment_expires: 0,
        comment_expire_time: 0,
        comment_is_service: 0,
        comment_type: 1,
        host_name: "web1",
        service_description: "",
        host_state: 1,
        service_state: 0,
        comment_persistent: 1,
        comment_source: 1,
      },
      {
        comment_id: mysql,
        comment_author: "carol",
        comment_comment: "known",
        comment_entry_type: 1,
        comment_entry_time: T0 + 8,
        comment_expires: 0,
        comment_expire_time: 0,
        comment_is_service: 1,
        comment_type: 2,
        host_name: "db1",
        service_description: "mysql",
        host_state: 0,
        service_state: 2,
        comment_persistent: 0,
        comment_source: 1,
      },
    ]);
  });

  it("joins the host's and the service's columns as the services table does", () => {
    const id = acknowledge(kit, "web1", "disk", 6, { sticky: true, author: "bob", comment: "full" });
    const [row] = record(table, [
      "host_acknowledged",
      "host_num_services",
      "host_contacts",
      "service_acknowledged",
      "service_acknowledgement_type",
      "service_contacts",
      "service_plugin_output",
      "service_last_check",
      "service_comments",
    ]);
    expect(row).to.deep.equal({
      host_acknowledged: 0,
      host_num_services: 3,
      host_contacts: ["alice"],
      service_acknowledged: 1,
      service_acknowledgement_type: 2,
      service_contacts: ["bob"],
      service_plugin_output: "disk of web1 is 2",
      service_last_check: T0,
      service_comments: [id],
    });
  });

  it("answers the empty value of each service_ column on a host's comment", () => {
    acknowledge(kit, "web1", HOST_CHECK, 7, { comment: "rebooting" });
    const [row] = record(table, [
      "host_acknowledged",
      "service_description",
      "service_state",
      "service_contacts",
      "service_custom_variables",
      "service_staleness",
      "service_comments",
    ]);
    expect(row).to.deep.equal({
      host_acknowledged: 1,
      service_description: "",
      service_state: 0,
      service_contacts: [],
      service_custom_variables: {},
      service_staleness: 0,
      service_comments: [],
    });
  });

  it("loses an acknowledgement's comment with the acknowledgement (removed, a state change, the recovery of a sticky one); keeps an operator's", async () => {
    acknowledge(kit, "web1", "disk", 1, { comment: "normal" });
    acknowledge(kit, "web1", "load", 1, { sticky: true, comment: "sticky" });
    acknowledge(kit, "db1", "mysql", 1, { comment: "removed" });
    const note = addComment(kit, "web1", "disk", 2, { comment: "operator's" });
    expect(select(table, ["comment"])).to.deep.equal([["normal"], ["sticky"], ["removed"], ["operator's"]]);
    expect(kit.engine.removeAcknowledgement({ hostname: "db1", check: "mysql" }, T0 + 3).ok).to.equal(true);
    await kit.write(result("web1", "disk", 1, { timestamp: T0 + 10, contacts: ["bob"] }), result("web1", "load", 2, { timestamp: T0 + 10 }));
    expect(select(table, ["service_description", "comment", "entry_type"])).to.deep.equal([
      ["load", "sticky", 4],
      ["disk", "operator's", 1],
    ]);
    await kit.write(result("web1", "load", 0, { timestamp: T0 + 20 }));
    expect(select(table, ["id", "comment"])).to.deep.equal([[note, "operator's"]]);
  });

  it("drops an expired acknowledgement's comment when the engine's timer passes its expiry", () => {
    acknowledge(kit, "web1", "disk", 1, { expireTime: T0 + 600 });
    kit.at(599);
    kit.engine.tick();
    expect(select(table, ["service_description", "expires", "expire_time"])).to.deep.equal([["disk", 1, T0 + 600]]);
    kit.at(600);
    kit.engine.tick();
    expect(select(table, ["id"])).to.deep.equal([]);
    expect(kit.engine.get("web1", "disk")!.acknowledgement).to.equal(null);
  });

  describe("id", () => {
    it("is the engine's: a new acknowledgement's comment gets a new id, a deleted comment's id is not given again", () => {
      const first = acknowledge(kit, "web1", "disk", 1);
      expect(kit.engine.removeAcknowledgement({ hostname: "web1", check: "disk" }, T0 + 2).ok).to.equal(true);
      const second = acknowledge(kit, "web1", "disk", 3, { sticky: true });
      expect(second).to.be.greaterThan(first);
      expect(select(table, ["id", "entry_time"])).to.deep.equal([[second, T0 + 3]]);
      const note = addComment(kit, "db1", "mysql", 4);
      expect(kit.engine.deleteComment(note, true).ok).to.equal(true);
      const next = addComment(kit, "db1", "mysql", 5);
      expect(next).to.be.greaterThan(note);
      expect(select(table, ["id"])).to.deep.equal([[second], [next]]);
    });

    it("filters like any int column (DEL_*_COMMENT links use it)", async () => {
      addComment(kit, "web1", "disk", 1);
      const wanted = addComment(kit, "db1", "mysql", 1, { comment: "this one" });
      const tables = new TableRegistry();
      tables.add(table);
      const q = parseRequest(["GET comments", "Columns: comment service_description", `Filter: comment_id = ${wanted}`], T0);
      if (q.kind !== "get") throw new Error("not a GET");
      expect((await answerQuery(q, tables, T0)).body).to.equal("this one;mysql\n");
    });
  });

  describe("rows", () => {
    let ids: number[];

    beforeEach(() => {
      // Interleaved hosts: id order is neither host order nor insertion by host.
      ids = [
        acknowledge(kit, "web1", "disk", 1, { author: "bob" }),
        addComment(kit, "db1", "mysql", 1, { author: "carol" }),
        addComment(kit, "web1", HOST_CHECK, 1),
      ];
    });

    it("with a hint are only the named hosts' comments, by id", () => {
      expect(table.keyColumns).to.deep.equal(["host_name"]);
      expect(select(table, ["id", "service_description"], { keys: ["web1", "nosuch"] })).to.deep.equal([
        [ids[0], "disk"],
        [ids[2], ""],
      ]);
      expect(select(table, ["id"], { keys: ["db1", "web1"] })).to.deep.equal(ids.map((id) => [id]));
      expect(select(table, ["host_name"], { keys: [] })).to.deep.equal([]);
    });

    it("go through the query engine: filters, prefixes, Stats and the host_name index", async () => {
      const ask = (text: string): Promise<string> => askTable(table, text, T0);
      expect(
        JSON.parse(await ask("GET comments\nColumns: comment_author host_name service_description\nFilter: comment_entry_type = 1\nOutputFormat: json")),
      ).to.deep.equal([
        ["carol", "db1", "mysql"],
        ["alice", "web1", ""],
      ]);
      expect(JSON.parse(await ask("GET comments\nColumns: author\nFilter: host_name = web1\nFilter: is_service = 1\nOutputFormat: json"))).to.deep.equal([
        ["bob"],
      ]);
      expect(await ask("GET comments\nStats: is_service = 1\nStats: type = 1\nStats: entry_type = 4")).to.equal("2;1;1\n");
    });
  });

  describe("AuthUser", () => {
    beforeEach(() => {
      acknowledge(kit, "web1", HOST_CHECK, 1);
      addComment(kit, "web1", "disk", 1);
      acknowledge(kit, "db1", "mysql", 1);
    });

    it("shows a service's comment to the service's and the host's contacts, a host's comment to the host's", () => {
      const seen = (user: string) => select(table, ["host_name", "service_description"], { user });
      expect(seen("alice")).to.deep.equal([
        ["web1", ""],
        ["web1", "disk"],
      ]);
      expect(seen("bob")).to.deep.equal([["web1", "disk"]]);
      expect(seen("carol")).to.deep.equal([["db1", "mysql"]]);
      expect(seen("nobody")).to.deep.equal([]);
    });
  });

  describe("columns", () => {
    it("resolve with the comment_ prefix as Checkmk does", () => {
      expect(column(table, "comment_author")).to.equal(column(table, "author"));
      expect(column(table, "comment_comment")).to.equal(column(table, "comment"));
      expect(column(table, "comment_id")).to.equal(column(table, "id"));
      const id = addComment(kit, "web1", "disk", 1, { author: "dave" });
      expect(select(table, ["comment_id", "comment_author", "id", "author"])).to.deep.equal([[id, "dave", id, "dave"]]);
    });

    it("are Checkmk's own set, then every hosts column as host_<name> and every service column of its own as service_<name>", () => {
      const own = table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")).map((c) => c.name);
      expect(own).to.have.members([
        "id",
        "author",
        "comment",
        "entry_type",
        "entry_time",
        "expires",
        "expire_time",
        "persistent",
        "source",
        "type",
        "is_service",
      ]);
      const names = new Set(table.spec.columns.map((c) => c.name));
      for (const c of HOST_COLUMNS) expect(names.has(`host_${c.name}`), c.name).to.equal(true);
      for (const name of SERVICE_OWN_COLUMN_NAMES) expect(names.has(`service_${name}`), name).to.equal(true);
      expect(SERVICE_OWN_COLUMN_NAMES).to.include.members(["description", "state", "plugin_output", "acknowledged", "contacts", "comments", "downtimes"]);
      expect(names.has("service_host_name")).to.equal(false);
    });

    it("have unique names, a known type and a description each, and the values their type says, on host and service comments", () => {
      acknowledge(kit, "web1", HOST_CHECK, 1);
      addComment(kit, "web1", "disk", 1);
      const rows = [...table.rows({})];
      expect(rows).to.have.length(2);
      expectWellTypedColumns(table, rows);
    });

    it("of its own are all listed in the README with type and description", () => {
      expectReadmeListsColumns(
        readPluginReadme("plugins/table/comments"),
        table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")),
      );
    });
  });
});

import { expect } from "chai";
import { answerQuery } from "../../../core/livestatus/query-engine";
import { parseRequest } from "../../../core/livestatus/request-parser";
import { TableRegistry } from "../../../core/livestatus/table-registry";
import { HOST_CHECK } from "../../../core/model/check-result";
import type { Acknowledgement } from "../../../core/state/check-state";
import { T0, column, engineKit, expectReadmeListsColumns, readPluginReadme, record, result, select, type EngineKit } from "../../../test/helpers/table-kit";
import { HOST_COLUMNS } from "../common/host-columns";
import { SERVICE_OWN_COLUMN_NAMES } from "../common/object-columns";
import { CommentsTable, acknowledgementCommentId, commentsTable } from "./comments-table";

/** What Multisite's comments view asks for (Checkmk's painters), with the prefixes it uses. */
const MULTISITE_COMMENT_COLUMNS = ["comment_id", "comment_author", "comment_comment", "comment_entry_type", "comment_entry_time", "comment_expires", "comment_expire_time", "comment_is_service", "comment_type", "host_name", "service_description", "host_state", "service_state"];

/**
 * web1: Host DOWN (contact alice), disk CRITICAL (contact bob), load WARNING, mem OK.
 * db1: Host UP, mysql CRITICAL (contact carol). Nothing acknowledged yet.
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

function ack(author: string, comment: string, seconds: number, extra: { type?: 1 | 2; expireTime?: number } = {}): Acknowledgement {
  return { type: extra.type ?? 1, author, comment, time: T0 + seconds, expireTime: extra.expireTime ?? 0 };
}

describe("comments table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof commentsTable>;

  beforeEach(async () => {
    kit = await engineKit();
    table = commentsTable(kit.engine, kit.clock);
    await twoHosts(kit);
  });

  it("has no rows while nothing is acknowledged", () => {
    expect(select(table, ["id"])).to.deep.equal([]);
  });

  it("has one acknowledgement comment (entry_type 4) per acknowledged check, host's first, then by service", () => {
    expect(kit.engine.acknowledge("web1", "load", ack("alice", "looking", 5))).to.equal(true);
    expect(kit.engine.acknowledge("web1", "disk", ack("bob", "disk; full", 6, { type: 2, expireTime: T0 + 3600 }))).to.equal(true);
    expect(kit.engine.acknowledge("web1", HOST_CHECK, ack("alice", "rebooting", 7))).to.equal(true);
    expect(kit.engine.acknowledge("db1", "mysql", ack("carol", "known", 8))).to.equal(true);
    const rows = record(table, MULTISITE_COMMENT_COLUMNS);
    expect(rows).to.deep.equal([
      {
        comment_id: acknowledgementCommentId("db1", "mysql"),
        comment_author: "carol",
        comment_comment: "known",
        comment_entry_type: 4,
        comment_entry_time: T0 + 8,
        comment_expires: 0,
        comment_expire_time: 0,
        comment_is_service: 1,
        comment_type: 2,
        host_name: "db1",
        service_description: "mysql",
        host_state: 0,
        service_state: 2,
      },
      {
        comment_id: acknowledgementCommentId("web1", HOST_CHECK),
        comment_author: "alice",
        comment_comment: "rebooting",
        comment_entry_type: 4,
        comment_entry_time: T0 + 7,
        comment_expires: 0,
        comment_expire_time: 0,
        comment_is_service: 0,
        comment_type: 1,
        host_name: "web1",
        service_description: "",
        host_state: 1,
        service_state: 0,
      },
      {
        comment_id: acknowledgementCommentId("web1", "disk"),
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
      },
      {
        comment_id: acknowledgementCommentId("web1", "load"),
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
      },
    ]);
    expect(select(table, ["persistent", "source"])).to.deep.equal([[0, 1], [0, 1], [0, 1], [0, 1]]);
  });

  it("joins the host's and the service's columns as the services table does", () => {
    kit.engine.acknowledge("web1", "disk", ack("bob", "full", 6, { type: 2 }));
    const [row] = record(table, ["host_acknowledged", "host_num_services", "host_contacts", "service_acknowledged", "service_acknowledgement_type", "service_contacts", "service_plugin_output", "service_last_check"]);
    expect(row).to.deep.equal({
      host_acknowledged: 0,
      host_num_services: 3,
      host_contacts: ["alice"],
      service_acknowledged: 1,
      service_acknowledgement_type: 2,
      service_contacts: ["bob"],
      service_plugin_output: "disk of web1 is 2",
      service_last_check: T0,
    });
  });

  it("answers the empty value of each service_ column on a host's comment", () => {
    kit.engine.acknowledge("web1", HOST_CHECK, ack("alice", "rebooting", 7));
    const [row] = record(table, ["host_acknowledged", "service_description", "service_state", "service_contacts", "service_custom_variables", "service_staleness"]);
    expect(row).to.deep.equal({ host_acknowledged: 1, service_description: "", service_state: 0, service_contacts: [], service_custom_variables: {}, service_staleness: 0 });
  });

  it("goes with the acknowledgement: removed, ended by a state change (normal) or by the recovery (sticky)", async () => {
    kit.engine.acknowledge("web1", "disk", ack("bob", "normal", 1));
    kit.engine.acknowledge("web1", "load", ack("alice", "sticky", 1, { type: 2 }));
    kit.engine.acknowledge("db1", "mysql", ack("carol", "removed", 1));
    expect(select(table, ["host_name", "service_description"])).to.have.length(3);
    kit.engine.removeAcknowledgement("db1", "mysql");
    await kit.write(result("web1", "disk", 1, { timestamp: T0 + 10, contacts: ["bob"] }), result("web1", "load", 2, { timestamp: T0 + 10 }));
    expect(select(table, ["host_name", "service_description", "comment"])).to.deep.equal([["web1", "load", "sticky"]]);
    await kit.write(result("web1", "load", 0, { timestamp: T0 + 20 }));
    expect(select(table, ["id"])).to.deep.equal([]);
  });

  describe("id", () => {
    it("is derived from host and service only: the same for a new acknowledgement, and after a restart", async () => {
      kit.engine.acknowledge("web1", "disk", ack("bob", "first", 1));
      const [[first]] = select(table, ["id"]) as [[number]];
      kit.engine.removeAcknowledgement("web1", "disk");
      kit.engine.acknowledge("web1", "disk", ack("alice", "second", 99, { type: 2 }));
      expect(select(table, ["id"])).to.deep.equal([[first]]);
      // A fresh engine (a restart) with the same check acknowledged gives the same id.
      const other = await engineKit();
      await other.write(result("web1", "disk", 2));
      other.engine.acknowledge("web1", "disk", ack("carol", "third", 5));
      expect(select(commentsTable(other.engine, other.clock), ["id"])).to.deep.equal([[first]]);
    });

    it("is pinned: a positive safe integer that does not change between versions", () => {
      expect(acknowledgementCommentId("web1", "disk")).to.equal(8771334237855131);
      expect(acknowledgementCommentId("web1", HOST_CHECK)).to.equal(180580977176611);
      const ids = new Set<number>();
      for (let h = 0; h < 200; h++) {
        for (const check of [HOST_CHECK, "disk", "load", "mem", "cpu"]) {
          const id = acknowledgementCommentId(`host${h}`, check);
          expect(Number.isSafeInteger(id) && id > 0, `${h} ${check}`).to.equal(true);
          ids.add(id);
        }
      }
      expect(ids.size).to.equal(1000);
      // The separator keeps ("ab", "c") and ("a", "bc") apart.
      expect(acknowledgementCommentId("ab", "c")).to.not.equal(acknowledgementCommentId("a", "bc"));
    });
  });

  describe("rows", () => {
    beforeEach(() => {
      kit.engine.acknowledge("web1", "disk", ack("bob", "full", 1));
      kit.engine.acknowledge("db1", "mysql", ack("carol", "known", 1));
    });

    it("with a hint are only the named hosts' comments", () => {
      expect(select(table, ["host_name", "service_description"], { keys: ["web1", "nosuch"] })).to.deep.equal([["web1", "disk"]]);
      expect(select(table, ["host_name"], { keys: [] })).to.deep.equal([]);
      expect(table.keyColumns).to.deep.equal(["host_name"]);
    });

    it("go through the query engine: filters, prefixes, Stats and the host_name index", async () => {
      const tables = new TableRegistry();
      tables.add(table);
      const ask = async (text: string): Promise<string> => {
        const q = parseRequest(text.split("\n"), T0);
        if (q.kind !== "get") throw new Error("not a GET");
        return (await answerQuery(q, tables, T0)).body;
      };
      expect(await ask("GET comments\nColumns: comment_author host_name service_description\nFilter: comment_entry_type = 4\nOutputFormat: json")).to.equal('[["carol","db1","mysql"],\n["bob","web1","disk"]]\n');
      expect(await ask("GET comments\nColumns: author\nFilter: host_name = web1\nOutputFormat: json")).to.equal('[["bob"]]\n');
      expect(await ask(`GET comments\nColumns: service_description\nFilter: comment_id = ${acknowledgementCommentId("db1", "mysql")}`)).to.equal("mysql\n");
      expect(await ask("GET comments\nStats: is_service = 1\nStats: type = 1")).to.equal("2;0\n");
    });
  });

  describe("AuthUser", () => {
    beforeEach(() => {
      kit.engine.acknowledge("web1", HOST_CHECK, ack("alice", "rebooting", 1));
      kit.engine.acknowledge("web1", "disk", ack("bob", "full", 1));
      kit.engine.acknowledge("db1", "mysql", ack("carol", "known", 1));
    });

    it("shows a service's comment to the service's and the host's contacts, a host's comment to the host's", () => {
      const seen = (user: string) => select(table, ["host_name", "service_description"], { user });
      expect(seen("alice")).to.deep.equal([["web1", ""], ["web1", "disk"]]);
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
    });

    it("have every hosts column as host_<name> and every service column of its own as service_<name>", () => {
      const names = new Set(table.spec.columns.map((c) => c.name));
      for (const c of HOST_COLUMNS) expect(names.has(`host_${c.name}`), c.name).to.equal(true);
      for (const name of SERVICE_OWN_COLUMN_NAMES) expect(names.has(`service_${name}`), name).to.equal(true);
      expect(SERVICE_OWN_COLUMN_NAMES).to.include.members(["description", "state", "plugin_output", "acknowledged", "contacts"]);
      expect(names.has("service_host_name")).to.equal(false);
    });

    it("have unique names, a known type and a description each, and the values their type says, on host and service comments", () => {
      kit.engine.acknowledge("web1", HOST_CHECK, ack("alice", "rebooting", 1));
      kit.engine.acknowledge("web1", "disk", ack("bob", "full", 1));
      const names = table.spec.columns.map((c) => c.name);
      expect(new Set(names).size).to.equal(names.length);
      const rows = [...table.rows({})];
      expect(rows).to.have.length(2);
      for (const row of rows) {
        for (const c of table.spec.columns) {
          expect(c.description, c.name).to.not.equal("");
          const v = c.get(row);
          if (c.type === "int" || c.type === "time") expect(Number.isInteger(v), c.name).to.equal(true);
          else if (c.type === "float") expect(typeof v, c.name).to.equal("number");
          else if (c.type === "string") expect(typeof v, c.name).to.equal("string");
          else if (c.type === "list") expect(Array.isArray(v), c.name).to.equal(true);
          else expect(typeof v === "object" && !Array.isArray(v), c.name).to.equal(true);
        }
      }
    });

    it("of its own are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/comments"), table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")));
    });
  });

  describe("plugin", () => {
    it("adds its table on start and removes it on stop, twice without harm", async () => {
      const tables = new TableRegistry();
      const plugin = new CommentsTable(tables, kit.engine, kit.clock);
      await plugin.start();
      expect(tables.get("comments")).to.equal(plugin.table);
      kit.engine.acknowledge("web1", "disk", ack("bob", "full", 1));
      expect(select(plugin.table, ["service_description"])).to.deep.equal([["disk"]]);
      await plugin.stop();
      await plugin.stop();
      expect(tables.get("comments")).to.equal(undefined);
    });

    it("refuses a second comments table, whose stop leaves the first one served", async () => {
      const tables = new TableRegistry();
      const first = new CommentsTable(tables, kit.engine, kit.clock);
      const second = new CommentsTable(tables, kit.engine, kit.clock);
      await first.start();
      let error: unknown;
      await second.start().catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("two table plugins provide the table comments");
      await second.stop();
      expect(tables.get("comments")).to.equal(first.table);
      await first.stop();
    });
  });
});

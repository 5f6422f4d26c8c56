import { expect } from "chai";
import fc from "fast-check";
import type { LivestatusValue } from "../../../core/livestatus/query/column";
import { DEFAULT_SEPARATORS, type GetQuery, type OutputFormat } from "../../../core/livestatus/protocol/query";
import { answerQuery, renderQuery } from "../../../core/livestatus/query/query-engine";
import { parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { bodyRenderer, renderBody } from "../../../core/livestatus/render/render";
import { renderJsonTexts, renderWrappedJsonTexts } from "../../../core/livestatus/render/render-json";
import { TableRegistry } from "../../../core/livestatus/query/table-registry";
import { SliceTurns, WorkSlicer } from "../../../core/livestatus/query/work-slicer";
import { testHost, TestHostsTable } from "./engine-table";

const FORMATS: readonly OutputFormat[] = ["csv", "CSV", "json", "python", "python3", "wrapped_json"];

const value: fc.Arbitrary<LivestatusValue> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constant(Number.NaN),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.array(fc.string(), { maxLength: 3 })), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);

/** The rows cut into consecutive slices at the given points. */
function sliced<T>(rows: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (rows.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const p of [...points, rows.length]) {
    out.push(rows.slice(from, p));
    from = p;
  }
  return out;
}

describe("bodies rendered in slices", () => {
  it("are, joined, the bytes renderBody gives for all rows at once, in every format, however the rows are cut", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        fc.option(fc.array(fc.string(), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.array(fc.array(value, { minLength: 1, maxLength: 4 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (format, header, rows, cuts) => {
          const body = bodyRenderer(format, header, DEFAULT_SEPARATORS);
          const pieces = sliced(rows, cuts).map((slice) => body.rows(slice));
          expect(pieces.join("") + body.end(rows.length)).to.equal(renderBody(format, header, rows, DEFAULT_SEPARATORS));
        },
      ),
    );
  });

  it("from cached row texts: the bytes of renderJsonTexts and renderWrappedJsonTexts", () => {
    fc.assert(
      fc.property(
        fc.option(fc.array(fc.string(), { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.array(fc.array(fc.string(), { maxLength: 3 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (header, rows, cuts) => {
          const texts = rows.map((r) => JSON.stringify(r));
          const json = bodyRenderer("json", header, DEFAULT_SEPARATORS);
          expect(
            sliced(texts, cuts)
              .map((s) => json.texts(s))
              .join("") + json.end(texts.length),
          ).to.equal(renderJsonTexts(header, texts));
          const wrapped = bodyRenderer("wrapped_json", header, DEFAULT_SEPARATORS);
          expect(
            sliced(texts, cuts)
              .map((s) => wrapped.texts(s))
              .join("") + wrapped.end(7),
          ).to.equal(renderWrappedJsonTexts(header, texts, 7));
        },
      ),
    );
  });

  it("a query rendered with a slice after every row answers what one slice answers", async () => {
    const hosts = new TestHostsTable();
    for (let i = 0; i < 3000; i++) hosts.set(testHost(`h${String(i).padStart(5, "0")}`, { state: i % 3, groups: ["g"], custom_variables: { K: String(i) } }));
    const registry = new TableRegistry();
    registry.add(hosts);
    for (const text of [
      "GET hosts\nOutputFormat: json",
      "GET hosts\nColumns: name state groups\nLimit: 2500\nOutputFormat: wrapped_json",
      "GET hosts\nColumns: state\nStats: state = 0\nStats: sum staleness",
      "GET hosts\nColumns: name plugin_output\nFilter: state = 1",
    ]) {
      const query = parseRequest(text.split("\n"), 1_700_000_000);
      if (query.kind !== "get") throw new Error("not a GET");
      const pieces: string[] = [];
      let pauses = 0;
      let tick = 0;
      // A clock that moves 1 s per look: every look ends the slice.
      await renderQuery(
        query,
        registry,
        1_700_000_000,
        {
          push: (t) => void pieces.push(t),
          between: async () => {
            pauses++;
          },
        },
        { sliceMs: 4, sliceClock: () => (tick += 1000) },
      );
      expect(pauses, text).to.be.above(100);
      expect(pieces.join(""), text).to.equal((await answerQuery(query, registry, 1_700_000_000)).body);
    }
    const all = (await answerQuery(parseRequest(["GET hosts", "OutputFormat: json"], 1_700_000_000) as GetQuery, registry, 1_700_000_000)).body;
    expect((JSON.parse(all) as unknown[]).length).to.equal(3001); // the header row and every host
    const wrapped = (
      await answerQuery(
        parseRequest(["GET hosts", "Columns: name", "Limit: 2", "OutputFormat: wrapped_json"], 1_700_000_000) as GetQuery,
        registry,
        1_700_000_000,
      )
    ).body;
    expect(wrapped).to.equal('{"data":[["h00000"],["h00001"]],"total_count":3000}\n');
  });
});

describe("WorkSlicer", () => {
  it("looks at the clock every row while rows are dear, and at most every 256 rows while they are cheap", () => {
    let now = 0;
    let looks = 0;
    const clock = (): number => {
      looks++;
      return now;
    };
    const cheap = new WorkSlicer(4, clock);
    looks = 0;
    let cheapRows = 0;
    do {
      now += 0.0001; // 0.1 µs a row: 40,000 rows to a 4 ms slice
      cheapRows++;
    } while (!cheap.spent());
    expect(cheapRows).to.be.within(40_000, 40_000 + 256);
    expect(looks).to.be.within(cheapRows / 256, cheapRows / 256 + 10);

    now = 0;
    const dear = new WorkSlicer(4, clock);
    looks = 0;
    let rows = 0;
    do {
      now += 1; // 1 ms a row
      rows++;
    } while (!dear.spent());
    expect([rows, looks]).to.deep.equal([4, 4]);
  });
});

describe("SliceTurns", () => {
  it("resumes one paused slice per turn of the event loop, in the order they paused, letting I/O run between", async () => {
    const turns = new SliceTurns();
    const order: string[] = [];
    const work = async (name: string): Promise<void> => {
      for (let i = 0; i < 2; i++) {
        await turns.next();
        order.push(`${name}${i}`);
      }
    };
    const immediates = (async () => {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setImmediate(r));
        order.push(`io${i}`);
      }
    })();
    await Promise.all([work("a"), work("b"), immediates]);
    // Never two slices without a turn of the loop between them.
    for (let i = 1; i < order.length; i++) expect(order[i - 1]!.startsWith("io") || order[i]!.startsWith("io"), order.join(" ")).to.equal(true);
    expect(order.filter((o) => !o.startsWith("io"))).to.deep.equal(["a0", "b0", "a1", "b1"]);
  });
});

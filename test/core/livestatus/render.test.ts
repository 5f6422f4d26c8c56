import { expect } from "chai";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import type { LivestatusValue } from "../../../core/livestatus/query/column";
import { DEFAULT_SEPARATORS, type OutputFormat, type Separators } from "../../../core/livestatus/protocol/query";
import { renderBody } from "../../../core/livestatus/render/render";

type Rows = readonly (readonly LivestatusValue[])[];

/** Separators as the `Separators:` header gives them: four decimal ASCII codes. */
function separators(dataset: number, field: number, list: number, hostService: number): Separators {
  const c = String.fromCharCode;
  return { dataset: c(dataset), field: c(field), list: c(list), hostService: c(hostService) };
}

/**
 * Reads a broken-csv body back as a client honouring Tantale's escapes would: rows end at
 * the dataset separator, fields at an unescaped field separator, `\\n` `\\r` are newline
 * and carriage return, `\\x` is x. List structure is left joined (values only).
 */
function splitCsv(body: string, sep: Separators): string[][] {
  const rows: string[][] = [];
  let fields: string[] = [];
  let value = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      const next = body[++i]!;
      value += next === "n" ? "\n" : next === "r" ? "\r" : next;
    } else if (body.startsWith(sep.dataset, i)) {
      fields.push(value);
      rows.push(fields);
      fields = [];
      value = "";
      i += sep.dataset.length - 1;
    } else if (body.startsWith(sep.field, i)) {
      fields.push(value);
      value = "";
      i += sep.field.length - 1;
    } else value += c;
  }
  expect(fields.length === 0 && value === "", "body ends with the dataset separator").to.equal(true);
  return rows;
}

function render(format: OutputFormat, rows: Rows, header?: readonly string[], sep: Separators = DEFAULT_SEPARATORS): string {
  return renderBody(format, header, rows, sep);
}

// The reference peer's data (peer/reference-answers.md), in its row order.
const HOSTS: Rows = [
  ["host-0002", 0],
  ["host-0003", 0],
  ["host-0001", 0],
];
const HOSTS_LISTS: Rows = [
  ["host-0002", ["hg-1"], ["svc-01", "svc-02"]],
  ["host-0003", ["hg-2"], ["svc-01", "svc-02"]],
  ["host-0001", ["hg-0"], ["svc-01", "svc-02"]],
];
const SPECIAL: Rows = [["host-0003", "svc-02", 1, 'WARN - café "quoted" back\\slash; semi,comma', "a=1;2;3 b=4%"]];
const NUMBERS: Rows = [
  ["host-0001", "svc-02", 0, 1, 1, 1795486934, 1795486934, 0, 0, 5.9, 1, 1],
  ["host-0003", "svc-02", 1, 1, 1, 1795486934, 1795486934, 0, 0, 11.700000000000001, 1, 1],
];
const SERVICEGROUPS: Rows = [
  [
    "sg-1",
    "Service group 1",
    [
      ["host-0001", "svc-02"],
      ["host-0002", "svc-02"],
      ["host-0003", "svc-02"],
    ],
    3,
  ],
];
const WITH_STATE: Rows = [
  [
    "host-0003",
    [
      ["svc-01", 0, 1],
      ["svc-02", 1, 1],
    ],
  ],
];

describe("livestatus renderBody", () => {
  describe("csv (Checkmk's broken csv)", () => {
    it("renders rows like the reference peer [ref §2 csv]", () => {
      expect(render("csv", HOSTS)).to.equal("host-0002;0\nhost-0003;0\nhost-0001;0\n");
    });

    it("renders a header row first [ref §2 ColumnHeaders: on, csv]", () => {
      expect(render("csv", HOSTS, ["name", "state"])).to.equal("name;state\nhost-0002;0\nhost-0003;0\nhost-0001;0\n");
    });

    it("renders an empty result as an empty body [ref §5 empty result, csv]", () => {
      expect(render("csv", [])).to.equal("");
    });

    it("renders an empty result with headers as just the header row (Icinga 2 sends nothing)", () => {
      expect(render("csv", [], ["name", "state"])).to.equal("name;state\n");
    });

    it("joins list elements with the list separator [ref §3 list columns, csv]", () => {
      expect(render("csv", HOSTS_LISTS)).to.equal("host-0002;hg-1;svc-01,svc-02\nhost-0003;hg-2;svc-01,svc-02\nhost-0001;hg-0;svc-01,svc-02\n");
    });

    it("uses Separators: 10 9 44 124 (TAB between fields) [ref §2 Separators]", () => {
      expect(render("csv", HOSTS_LISTS, undefined, separators(10, 9, 44, 124))).to.equal(
        "host-0002\thg-1\tsvc-01,svc-02\nhost-0003\thg-2\tsvc-01,svc-02\nhost-0001\thg-0\tsvc-01,svc-02\n",
      );
    });

    it("default separators are 10 59 44 124", () => {
      expect(separators(10, 59, 44, 124)).to.deep.equal({ ...DEFAULT_SEPARATORS });
      expect(render("csv", SERVICEGROUPS, undefined, separators(10, 59, 44, 124))).to.equal(render("csv", SERVICEGROUPS));
    });

    it("uses every custom separator, the header row included", () => {
      const sep = separators(35, 9, 43, 47); // '#', TAB, '+', '/'
      const rows: Rows = [
        [
          "h1",
          ["a", "b"],
          [
            ["h1", "s1"],
            ["h2", "s2"],
          ],
          { X: "1", Y: "2" },
          3,
        ],
      ];
      expect(renderBody("csv", ["name", "l", "pairs", "cv", "n"], rows, sep)).to.equal("name\tl\tpairs\tcv\tn#h1\ta+b\th1/s1+h2/s2\tX/1+Y/2\t3#");
    });

    it("accepts multi-character separators (the renderer does not assume one byte)", () => {
      const sep: Separators = { dataset: "\r\n", field: "||", list: ", ", hostService: "::" };
      expect(renderBody("csv", undefined, [["a", ["x", "y"], [["h", "s"]]]], sep)).to.equal("a||x, y||h::s\r\n");
    });

    it("escapes \\ and the field separator in values, nothing else of the reference's special characters [ref §3, csv]", () => {
      // Icinga 2 and Checkmk send `;` and `\` raw (77 bytes): Tantale escapes them, so the fields split right.
      const body = render("csv", SPECIAL);
      expect(body).to.equal('host-0003;svc-02;1;WARN - café "quoted" back\\\\slash\\; semi,comma;a=1\\;2\\;3 b=4%\n');
      expect(splitCsv(body, DEFAULT_SEPARATORS)).to.deep.equal(SPECIAL.map((r) => r.map(String)));
    });

    it("escapes newlines in values as \\n, so an output cannot forge a row", () => {
      const rows: Rows = [["web1", "disk", 0, "ok", "line2\nvictim;svc;2;FAKE ROW"]];
      const body = render("csv", rows, ["host_name", "description", "state", "plugin_output", "long_plugin_output"]);
      expect(body).to.equal("host_name;description;state;plugin_output;long_plugin_output\nweb1;disk;0;ok;line2\\nvictim\\;svc\\;2\\;FAKE ROW\n");
      expect(body.split("\n")).to.have.length(3); // header, one row, the empty rest after the last \n
      expect(splitCsv(body, DEFAULT_SEPARATORS)[1]).to.deep.equal(["web1", "disk", "0", "ok", "line2\nvictim;svc;2;FAKE ROW"]);
    });

    it("escapes a carriage return as \\r (CRLF plugin output), and a backslash as \\\\ so escapes read back exactly", () => {
      expect(render("csv", [["a\r\nb", "C:\\temp\\n"]])).to.equal("a\\r\\nb;C:\\\\temp\\\\n\n");
    });

    it("escapes the list and host/service separators inside list items and dicts", () => {
      expect(render("csv", [[["a,b", "c|d", "e;f"], [["h,1", "s|1"]], { TAGS: '["a",1]', "K|X": "v" }]])).to.equal(
        'a\\,b,c\\|d,e\\;f;h\\,1|s\\|1;TAGS|["a"\\,1],K\\|X|v\n',
      );
    });

    it("escapes whatever characters custom Separators choose, in values and header names", () => {
      const sep = separators(35, 9, 43, 47); // '#', TAB, '+', '/'
      const body = render("csv", [["x#y\tz;", ["a+b", "c/d"]]], ["na#me", "li\tst"], sep);
      expect(body).to.equal("na\\#me\tli\\\tst#x\\#y\\\tz;\ta\\+b+c\\/d#");
      expect(splitCsv(body, sep)).to.deep.equal([
        ["na#me", "li\tst"],
        ["x#y\tz;", "a+b+c/d"],
      ]);
    });

    it("keeps every value readable back, whatever it holds, with default and custom separators (property)", () => {
      const alphabet = fc.constantFrom("a", "é", ";", ",", "|", "\\", "\n", "\r", "\t", "#", "+", "/", "n", " ", "\u0085", "\u2028");
      const value = fc.array(alphabet, { maxLength: 12 }).map((cs) => cs.join(""));
      const rowsArb = fc.array(fc.array(value, { minLength: 1, maxLength: 4 }), { maxLength: 5 });
      for (const sep of [DEFAULT_SEPARATORS, separators(35, 9, 43, 47), separators(13, 44, 59, 124)]) {
        fc.assert(
          fc.property(rowsArb, (rows) => {
            const body = render("csv", rows, undefined, sep);
            expect(splitCsv(body, sep)).to.deep.equal(rows);
          }),
          { numRuns: 300 },
        );
      }
    });
    it("renders the status row and stats rows like the reference peer [ref §1, §4]", () => {
      expect(render("csv", [["r2.13.6-1-icinga2", "r2.13.6-1", 3, 6, 27655, 1795486934]])).to.equal("r2.13.6-1-icinga2;r2.13.6-1;3;6;27655;1795486934\n");
      expect(render("csv", [[4, 1, 1, 0]])).to.equal("4;1;1;0\n");
    });

    it("joins the parts of host/service pairs with the host/service separator (servicegroup members)", () => {
      expect(render("csv", SERVICEGROUPS)).to.equal("sg-1;Service group 1;host-0001|svc-02,host-0002|svc-02,host-0003|svc-02;3\n");
    });

    it("renders services_with_state as name|state|has_been_checked joined by the list separator", () => {
      expect(render("csv", WITH_STATE)).to.equal("host-0003;svc-01|0|1,svc-02|1|1\n");
    });

    it("joins deeper nesting with the host/service separator too", () => {
      expect(render("csv", [[[["a", ["b", "c"]], "d"]]])).to.equal("a|b|c,d\n");
    });

    it("renders a dict as NAME|value pairs joined by the list separator (Checkmk's csv dict)", () => {
      expect(render("csv", [["h", { OS: "linux", SITE: "paris 1" }]])).to.equal("h;OS|linux,SITE|paris 1\n");
    });

    it("renders empty lists, dicts and strings as empty fields", () => {
      expect(render("csv", [["", [], {}, 0]])).to.equal(";;;0\n");
    });

    it("renders numbers as the shortest exact decimal, integers and epochs without .0 or exponent", () => {
      expect(render("csv", [[0.5, 5.9, 11.7, 1795486934, 11.700000000000001, 1795486934123, 2.0, -0, 0.1 + 0.2]])).to.equal(
        "0.5;5.9;11.7;1795486934;11.700000000000001;1795486934123;2;0;0.30000000000000004\n",
      );
      expect(render("CSV", [[0.5, 1795486934]])).to.equal('"0.5","1795486934"\r\n');
    });

    it("renders non-finite numbers as empty fields (Checkmk prints null as nothing)", () => {
      expect(render("csv", [[Number.NaN, Number.POSITIVE_INFINITY, 1]])).to.equal(";;1\n");
    });
  });

  describe("CSV (RFC 4180)", () => {
    it("quotes every field, numbers too, and ends rows with CRLF (Checkmk's RendererCSV)", () => {
      expect(render("CSV", HOSTS)).to.equal('"host-0002","0"\r\n"host-0003","0"\r\n"host-0001","0"\r\n');
    });

    it("doubles inner quotes and keeps separators inside the quotes", () => {
      expect(render("CSV", SPECIAL)).to.equal('"host-0003","svc-02","1","WARN - café ""quoted"" back\\slash; semi,comma","a=1;2;3 b=4%"\r\n');
    });

    it("renders lists with , and sub-lists and dicts with |, inside one quoted field", () => {
      expect(render("CSV", SERVICEGROUPS)).to.equal('"sg-1","Service group 1","host-0001|svc-02,host-0002|svc-02,host-0003|svc-02","3"\r\n');
      expect(render("CSV", [[{ A: 'x"y', B: "2" }]])).to.equal('"A|x""y,B|2"\r\n');
    });

    it("keeps newlines and separators inside the quotes: Python's csv module reads the same rows back", function () {
      const rows: Rows = [
        ["web1", "disk", 0, "ok", "line2\nvictim;svc;2;FAKE ROW"],
        ["web2", 'q"uote', 1, "crlf\r\nin it", "a,b;c|d"],
      ];
      const body = render("CSV", rows, ["host_name", "description", "state", "plugin_output", "long_plugin_output"]);
      const program = [
        "import csv, io, json, sys",
        "data = sys.stdin.buffer.read().decode('utf-8')",
        "print(json.dumps(list(csv.reader(io.StringIO(data, newline='')))))",
      ].join("\n");
      let out: string;
      try {
        out = execFileSync("python3", ["-c", program], { input: Buffer.from(body, "utf8"), encoding: "utf8" });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") this.skip();
        throw err;
      }
      const parsed = JSON.parse(out) as string[][];
      expect(parsed).to.have.length(3);
      expect(parsed.slice(1)).to.deep.equal(rows.map((r) => r.map(String)));
    });

    it("renders the header row quoted, also for an empty result", () => {
      expect(render("CSV", HOSTS.slice(0, 1), ["name", 'odd"name'])).to.equal('"name","odd""name"\r\n"host-0002","0"\r\n');
      expect(render("CSV", [], ["name", "state"])).to.equal('"name","state"\r\n');
      expect(render("CSV", [])).to.equal("");
    });

    it("ignores the Separators header (only broken csv uses it)", () => {
      expect(render("CSV", HOSTS_LISTS, undefined, separators(10, 9, 59, 47))).to.equal(render("CSV", HOSTS_LISTS));
    });

    it("quotes line breaks inside a field as RFC 4180 allows", () => {
      expect(render("CSV", [["line1\nline2"]])).to.equal('"line1\nline2"\r\n');
    });
  });

  describe("json", () => {
    it("is compact JSON with a final \\n; parses like the reference answer [ref §2 json]", () => {
      const body = render("json", HOSTS);
      expect(body).to.equal('[["host-0002",0],["host-0003",0],["host-0001",0]]\n');
      expect(JSON.parse(body)).to.deep.equal(JSON.parse('[["host-0002",0], ["host-0003",0], ["host-0001",0]]'));
    });

    it("renders an empty result as []\\n", () => {
      expect(render("json", [])).to.equal("[]\n");
    });

    it("puts the header first, and keeps it for an empty result (Icinga 2 sends [] and Nagstamon crashes)", () => {
      expect(render("json", HOSTS, ["name", "state"])).to.equal('[["name","state"],["host-0002",0],["host-0003",0],["host-0001",0]]\n');
      expect(render("json", [], ["name", "state"])).to.equal('[["name","state"]]\n');
    });

    it("renders lists as arrays [ref §3 list columns, json]", () => {
      const body = render("json", HOSTS_LISTS);
      expect(body).to.equal(
        '[["host-0002",["hg-1"],["svc-01","svc-02"]],["host-0003",["hg-2"],["svc-01","svc-02"]],["host-0001",["hg-0"],["svc-01","svc-02"]]]\n',
      );
      expect(JSON.parse(body)).to.deep.equal(
        JSON.parse('[["host-0002",["hg-1"],["svc-01","svc-02"]], ["host-0003",["hg-2"],["svc-01","svc-02"]], ["host-0001",["hg-0"],["svc-01","svc-02"]]]'),
      );
    });

    it("renders nested lists byte for byte like the reference [ref §3 services_with_state, §7 servicegroups]", () => {
      expect(render("json", WITH_STATE)).to.equal('[["host-0003",[["svc-01",0,1],["svc-02",1,1]]]]\n');
      expect(render("json", SERVICEGROUPS)).to.equal('[["sg-1","Service group 1",[["host-0001","svc-02"],["host-0002","svc-02"],["host-0003","svc-02"]],3]]\n');
    });

    it("escapes quotes and backslashes, keeps ; and , and UTF-8 raw [ref §3 special characters, json]", () => {
      const body = render("json", SPECIAL);
      expect(body).to.equal('[["host-0003","svc-02",1,"WARN - café \\"quoted\\" back\\\\slash; semi,comma","a=1;2;3 b=4%"]]\n');
      // Icinga 2 writes \u00e9 instead of raw é; both decode to the same value.
      const reference = '[["host-0003","svc-02",1,"WARN - caf\\u00e9 \\"quoted\\" back\\\\slash; semi,comma","a=1;2;3 b=4%"]]';
      expect(JSON.parse(body)).to.deep.equal(JSON.parse(reference));
      expect(JSON.parse(body)).to.deep.equal(SPECIAL);
    });

    it("round-trips control characters, line breaks, U+2028, astral characters and lone surrogates", () => {
      const tricky = ["tab\there", "nl\nand\rcr", "nul\u0000bell\u0007", "ls\u2028ps\u2029", "emoji 😀", "lone \ud800 x", "</script>"];
      const body = render("json", [tricky]);
      expect(body).not.to.match(/[\u0000-\u0009\u000b-\u001f]/); // control characters are escaped
      expect(body.indexOf("\n")).to.equal(body.length - 1); // the only raw LF is the final one
      expect(JSON.parse(body)).to.deep.equal([tricky]);
    });

    it("renders numbers as JSON numbers: shortest decimal, integers without .0, no exponent for epochs", () => {
      const body = render("json", [[0.5, 5.9, 11.7, 1795486934, 1795486934123, 1795486934.25, 5.0, -0, -3, 0.1 + 0.2]]);
      expect(body).to.equal("[[0.5,5.9,11.7,1795486934,1795486934123,1795486934.25,5,0,-3,0.30000000000000004]]\n");
    });

    it("prints a float that is not 11.7 with the digits that tell it apart [ref §3 numbers]", () => {
      const body = render("json", NUMBERS);
      expect(body).to.equal(
        '[["host-0001","svc-02",0,1,1,1795486934,1795486934,0,0,5.9,1,1],["host-0003","svc-02",1,1,1,1795486934,1795486934,0,0,11.700000000000001,1,1]]\n',
      );
      expect(JSON.parse(body)).to.deep.equal(NUMBERS);
    });

    it("renders the reference's stats answers [ref §4]", () => {
      expect(render("json", [[3, 0.5, 1795486934, 2]])).to.equal("[[3,0.5,1795486934,2]]\n");
      expect(render("json", [[0]])).to.equal("[[0]]\n");
      expect(
        render("json", [
          [0, 4],
          [1, 1],
          [2, 1],
        ]),
      ).to.equal("[[0,4],[1,1],[2,1]]\n");
    });

    it("renders non-finite numbers as null (JSON has no NaN)", () => {
      expect(render("json", [[Number.NaN, Number.NEGATIVE_INFINITY]])).to.equal("[[null,null]]\n");
    });

    it("renders dicts as objects, in insertion order", () => {
      const body = render("json", [["h", { OS: "linux", 'a"b': "x\\y" }, {}]]);
      expect(body).to.equal('[["h",{"OS":"linux","a\\"b":"x\\\\y"},{}]]\n');
      expect(JSON.parse(body)).to.deep.equal([["h", { OS: "linux", 'a"b': "x\\y" }, {}]]);
    });

    it("renders empty lists and strings", () => {
      expect(render("json", [["", []]])).to.equal('[["",[]]]\n');
    });

    it("ignores the Separators header", () => {
      expect(render("json", HOSTS_LISTS, ["a", "b", "c"], separators(10, 9, 59, 47))).to.equal(render("json", HOSTS_LISTS, ["a", "b", "c"]));
    });
  });

  describe("python and python3", () => {
    it("is the json text (Icinga 2's python3 body is empty, a bug we do not copy)", () => {
      for (const rows of [HOSTS, HOSTS_LISTS, SPECIAL, NUMBERS, SERVICEGROUPS, WITH_STATE]) {
        expect(render("python", rows)).to.equal(render("json", rows));
        expect(render("python3", rows)).to.equal(render("json", rows));
      }
      expect(render("python3", HOSTS)).to.equal('[["host-0002",0],["host-0003",0],["host-0001",0]]\n');
    });

    it("renders the header row and empty results like json", () => {
      expect(render("python", [], ["name"])).to.equal('[["name"]]\n');
      expect(render("python3", [])).to.equal("[]\n");
    });

    it("spells null None, and leaves the text null/true/false inside strings alone", () => {
      const rows: Rows = [[Number.NaN, "null", "true", "false", "None", 1]];
      expect(render("python", rows)).to.equal('[[None,"null","true","false","None",1]]\n');
      expect(render("python3", rows)).to.equal(render("python", rows));
      expect(render("json", rows)).to.equal('[[null,"null","true","false","None",1]]\n');
    });

    it("renders value by value exactly as the native fast path does (differential)", () => {
      // A row whose text contains "null" takes python's value-by-value path; without a
      // non-finite number it must come out byte for byte like json's JSON.stringify path.
      const values: LivestatusValue[] = [
        "",
        "plain",
        'q"b\\s/',
        "ctl \u0000\u0001\u001f\u007f\t\n\r\b\f",
        "uni é ü 日本 😀 \u2028\u2029",
        "lone \ud800 \udfff",
        0,
        -0,
        -17,
        0.1 + 0.2,
        5.9,
        11.700000000000001,
        1795486934,
        1795486934123,
        1e-7,
        1e21,
        -1.5e-300,
        Number.MAX_SAFE_INTEGER,
        [],
        ["a", 1],
        [
          ["h", "s"],
          ["h2", "s2"],
        ],
        [["svc", 0, 1]],
        {},
        { A: "1", "2": "two", 'k"ey': "v\u0000" },
      ];
      const random = (() => {
        let a = 7;
        return () => (a = (a * 1103515245 + 12345) % 2147483648) / 2147483648;
      })();
      const rows: LivestatusValue[][] = [];
      for (let r = 0; r < 300; r++) {
        const row: LivestatusValue[] = ["null"];
        const width = 1 + Math.floor(random() * 6);
        for (let c = 0; c < width; c++) row.push(values[Math.floor(random() * values.length)] as LivestatusValue);
        rows.push(row);
      }
      rows.push(values);
      expect(render("python", rows, ["h"])).to.equal(render("json", rows, ["h"]));
    });

    it("is accepted by Python's ast.literal_eval with the same values", function () {
      const rows: Rows = [...SPECIAL, ...NUMBERS, ...WITH_STATE, ["tab\tnl\ncr\r", "uni é ü 😀", 'q"b\\', { K: "v", "k'2": "w" }, Number.NaN, 1795486934, 0.5]];
      const body = render("python", rows, ["a", "b"]);
      const program = [
        "import ast, json, math, sys",
        "data = sys.stdin.buffer.read().decode('utf-8')",
        "v = ast.literal_eval(data)",
        // Mirror JSON's null for the comparison: None → JSON null.
        "print(json.dumps(v))",
      ].join("\n");
      let out: string;
      try {
        out = execFileSync("python3", ["-c", program], { input: Buffer.from(body, "utf8"), encoding: "utf8" });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") this.skip();
        throw err;
      }
      expect(JSON.parse(out)).to.deep.equal(JSON.parse(render("json", rows, ["a", "b"])));
    });
  });

  describe("wrapped_json", () => {
    it("wraps the rows in data with total_count", () => {
      expect(render("wrapped_json", HOSTS)).to.equal('{"data":[["host-0002",0],["host-0003",0],["host-0001",0]],"total_count":3}\n');
    });

    it("puts the header in columns, not in data", () => {
      const body = render("wrapped_json", HOSTS, ["name", "state"]);
      expect(body).to.equal('{"data":[["host-0002",0],["host-0003",0],["host-0001",0]],"columns":["name","state"],"total_count":3}\n');
      expect(JSON.parse(body)).to.deep.equal({ data: HOSTS, columns: ["name", "state"], total_count: 3 });
    });

    it("renders an empty result, with and without header", () => {
      expect(render("wrapped_json", [])).to.equal('{"data":[],"total_count":0}\n');
      expect(render("wrapped_json", [], ["name"])).to.equal('{"data":[],"columns":["name"],"total_count":0}\n');
    });

    it("takes total_count from the caller (rows before Limit)", () => {
      expect(renderBody("wrapped_json", undefined, HOSTS.slice(0, 1), DEFAULT_SEPARATORS, 3)).to.equal('{"data":[["host-0002",0]],"total_count":3}\n');
    });

    it("renders nested values and non-finite numbers like json", () => {
      expect(JSON.parse(render("wrapped_json", [...WITH_STATE, ["x", Number.NaN]]))).to.deep.equal({
        data: [...WITH_STATE, ["x", null]],
        total_count: 2,
      });
    });
  });

  describe("every format", () => {
    it("treats header names as data (escaped in JSON, quoted in CSV)", () => {
      const header = ['na"me', "st;ate"];
      expect(render("csv", [], header)).to.equal('na"me;st\\;ate\n');
      expect(render("CSV", [], header)).to.equal('"na""me","st;ate"\r\n');
      expect(JSON.parse(render("json", [], header))).to.deep.equal([header]);
      expect(JSON.parse(render("wrapped_json", [], header))).to.deep.equal({ data: [], columns: header, total_count: 0 });
    });

    it("rejects an unknown format (the parser never lets one through)", () => {
      expect(() => renderBody("xml" as OutputFormat, undefined, HOSTS, DEFAULT_SEPARATORS)).to.throw(TypeError, /xml/);
    });
  });
});

import { expect } from "chai";
import { splitPluginOutput, unescapeNagios } from "../../../core/model/plugin-output";

describe("splitPluginOutput (Nagios parse_check_output rules)", () => {
  const cases: [string, string, { output: string; longOutput: string; perfData: string }][] = [
    ["one line", "DISK OK - free 12%", { output: "DISK OK - free 12%", longOutput: "", perfData: "" }],
    ["empty", "", { output: "", longOutput: "", perfData: "" }],
    ["line 1 with perfdata, trimmed", "  LOAD OK | load1=0.5;1;2 load5=0.4  ", { output: "LOAD OK", longOutput: "", perfData: "load1=0.5;1;2 load5=0.4" }],
    ["further | on line 1 stay in perfdata", "A | b=1 | c=2", { output: "A", longOutput: "", perfData: "b=1 | c=2" }],
    ["line 1 starting with | has an empty output", "|x=1", { output: "", longOutput: "", perfData: "x=1" }],
    ["long output without perfdata", "OK\nline 2\nline 3", { output: "OK", longOutput: "line 2\nline 3", perfData: "" }],
    [
      "the full layout of docs/inputs.md 2.1",
      "TEXT OUTPUT | PERF1\nLONG 1\nLONG 2\nLONG N | PERF 2\nPERF 3\n",
      { output: "TEXT OUTPUT", longOutput: "LONG 1\nLONG 2\nLONG N ", perfData: "PERF1 PERF 2 PERF 3" },
    ],
    ["a | line right after line 1", "OK\n| a=1\nb=2", { output: "OK", longOutput: "", perfData: "a=1 b=2" }],
    ["empty long-output lines are kept, trailing newlines dropped", "OK\n\nafter blank\n\n", { output: "OK", longOutput: "\nafter blank", perfData: "" }],
    ["semicolons and control characters are kept", "a;b\u0000c\nd;e", { output: "a;b\u0000c", longOutput: "d;e", perfData: "" }],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(splitPluginOutput(text)).to.deep.equal(expected));
  }
});

describe("unescapeNagios", () => {
  it("turns \\n into a newline and \\\\ into a backslash, and nothing else", () => {
    expect(unescapeNagios("a\\nb")).to.equal("a\nb");
    expect(unescapeNagios("C:\\\\temp")).to.equal("C:\\temp");
    expect(unescapeNagios("\\\\n")).to.equal("\\n");
    expect(unescapeNagios("\\t \\x \\")).to.equal("\\t \\x \\");
    expect(unescapeNagios("no escapes")).to.equal("no escapes");
    expect(unescapeNagios("end\\n")).to.equal("end\n");
    expect(unescapeNagios("\\n\\n\\\\")).to.equal("\n\n\\");
  });
});

/**
 * Lucene regular expressions, pinned by the examples of Elasticsearch's "Regular expression
 * syntax" reference (standard and optional operators) and by Lucene's known limits
 * (case_insensitive folds ASCII single characters, not ranges: apache/lucene#14378). One table
 * drives two suites: the regexp engine alone, and `regexp` queries through the target (the test
 * server, or a real cluster with TANTALE_ES_URL, which then checks the table against Lucene).
 */
import { expect } from "chai";
import { compileLuceneRegexp, parseRegexpFlags, RegexpFlag, RegexpSyntaxError } from "./lucene-regexp";
import { esTarget, type EsTarget } from "./target";
import { expectStatus, reasons } from "./expect";

interface Case {
  readonly pattern: string;
  readonly flags?: string;
  readonly ci?: boolean;
  readonly match: readonly string[];
  readonly noMatch: readonly string[];
}

const CASES: readonly Case[] = [
  // standard operators (reference examples)
  { pattern: "ab.", match: ["abc", "ab1"], noMatch: ["ab", "abcd", "xabc"] },
  { pattern: "abc?", match: ["ab", "abc"], noMatch: ["abcc", "a"] },
  { pattern: "ab+", match: ["ab", "abb", "abbb"], noMatch: ["a", "abc"] },
  { pattern: "ab*", match: ["a", "ab", "abbb"], noMatch: ["b", "abc"] },
  { pattern: "a{2}", match: ["aa"], noMatch: ["a", "aaa"] },
  { pattern: "a{2,4}", match: ["aa", "aaa", "aaaa"], noMatch: ["a", "aaaaa"] },
  { pattern: "a{2,}", match: ["aa", "aaaaaa"], noMatch: ["a"] },
  { pattern: "abc|xyz", match: ["abc", "xyz"], noMatch: ["abcxyz", "ab"] },
  { pattern: "abc(def)?", match: ["abc", "abcdef"], noMatch: ["abcde"] },
  { pattern: "[abc]", match: ["a", "b", "c"], noMatch: ["d", "ab", "-"] },
  { pattern: "[-abc]", match: ["-", "a"], noMatch: ["d"] },
  { pattern: "[abc\\-]", match: ["-", "c"], noMatch: ["d"] },
  { pattern: "[a-c]", match: ["a", "b", "c"], noMatch: ["d", "-"] },
  { pattern: "[^abc]", match: ["d", "-"], noMatch: ["a", "c", ""] },
  { pattern: "[^a-c]", match: ["d"], noMatch: ["b"] },
  { pattern: "[^-abc]", match: ["d"], noMatch: ["-", "a"] },
  // anchoring, escapes, quoted strings, shorthand classes
  { pattern: "b", match: ["b"], noMatch: ["abc", "bb"] },
  { pattern: "web-.*", match: ["web-1", "web-"], noMatch: ["xweb-1", "web"] },
  { pattern: "a\\.b", match: ["a.b"], noMatch: ["axb"] },
  { pattern: '"a.b"', match: ["a.b"], noMatch: ["axb"] },
  { pattern: "\\d+", match: ["123", "0"], noMatch: ["12a", ""] },
  { pattern: "\\w+\\s\\w+", match: ["ab c_9", "a\tb"], noMatch: ["ab-c", "a  b"] },
  { pattern: "[\\d]x", match: ["1x"], noMatch: ["ax"] },
  // optional operators, on by default (flags ALL)
  { pattern: "#|abc", match: ["abc"], noMatch: ["", "#"] },
  { pattern: "a~bc", match: ["adc", "aec", "ac", "abbc"], noMatch: ["abc"] },
  { pattern: "foo<1-100>", match: ["foo1", "foo100", "foo001"], noMatch: ["foo101", "foo", "foo0"] },
  { pattern: "foo<01-10>", match: ["foo05", "foo10"], noMatch: ["foo5", "foo11"] },
  { pattern: "aaa.+&.+bbb", match: ["aaabbb", "aaaxbbb"], noMatch: ["aaabb", "aaab"] },
  { pattern: "@&~(abc.+)", match: ["abc", "xyz", ""], noMatch: ["abcd", "abcabc"] },
  { pattern: "@", match: ["", "anything at all"], noMatch: [] },
  // flags: NONE makes the optional operators ordinary characters
  { pattern: "a~bc", flags: "NONE", match: ["a~bc"], noMatch: ["adc", "abc"] },
  { pattern: "a@b", flags: "NONE", match: ["a@b"], noMatch: ["axyzb"] },
  { pattern: "a&b", flags: "NONE", match: ["a&b"], noMatch: ["a"] },
  { pattern: "a#b", flags: "NONE", match: ["a#b"], noMatch: ["ab"] },
  { pattern: "x<1-2>", flags: "NONE", match: ["x<1-2>"], noMatch: ["x1"] },
  { pattern: "a~b&.*", flags: "INTERSECTION", match: ["a~b"], noMatch: ["acb"] },
  { pattern: "x<1-3>&~(x2)", flags: "INTERVAL|INTERSECTION|COMPLEMENT", match: ["x1", "x3"], noMatch: ["x2", "x4"] },
  { pattern: "~y", flags: "COMPLEMENT", match: ["z", "", "yy"], noMatch: ["y"] },
  // case_insensitive: ASCII single characters and strings fold, ranges do not (Lucene 9)
  { pattern: "abc", ci: true, match: ["ABC", "aBc", "abc"], noMatch: ["abd"] },
  { pattern: "[abc]+", ci: true, match: ["ABC", "abc"], noMatch: ["D"] },
  { pattern: "[a-c]+", ci: true, match: ["abc"], noMatch: ["ABC"] },
  { pattern: "[^a]", ci: true, match: ["b"], noMatch: ["a", "A"] },
  { pattern: '"ab"c', ci: true, match: ["ABC"], noMatch: ["AB"] },
  { pattern: "web-.*", ci: true, match: ["WEB-1", "Web-x"], noMatch: ["wep-1"] },
  { pattern: "é", ci: true, match: ["é"], noMatch: ["É"] },
  { pattern: "abc", match: ["abc"], noMatch: ["ABC"] },
  // code points, not UTF-16 units
  { pattern: "..", match: ["😀x", "ab"], noMatch: ["😀", "abc"] },
];

const SYNTAX_ERRORS = ["(abc", "[abc", "a{2", "a{3,1}", "abc)", "a|", "x<1>"];

describe("es-server: Lucene regexp engine (regexp syntax reference examples)", function () {
  for (const c of CASES) {
    it(`${c.pattern}${c.flags ? ` flags ${c.flags}` : ""}${c.ci ? " case_insensitive" : ""}`, () => {
      const re = compileLuceneRegexp(c.pattern, { flags: c.flags ? parseRegexpFlags(c.flags) : RegexpFlag.ALL, caseInsensitive: c.ci ?? false });
      for (const s of c.match) expect(re.matches(s), `${JSON.stringify(s)} should match`).to.equal(true);
      for (const s of c.noMatch) expect(re.matches(s), `${JSON.stringify(s)} should not match`).to.equal(false);
    });
  }

  it("refuses broken expressions with Lucene's kind of message", () => {
    for (const p of SYNTAX_ERRORS) expect(() => compileLuceneRegexp(p), p).to.throw(RegexpSyntaxError);
    expect(() => compileLuceneRegexp("(abc")).to.throw(/expected '\)' at position 4/);
  });

  it("refuses an unknown flag; an empty pattern matches the empty term only", () => {
    expect(() => parseRegexpFlags("ALL|NOPE")).to.throw(/Unknown regexp flag \[NOPE\]/);
    const re = compileLuceneRegexp("");
    expect([re.matches(""), re.matches("a")]).to.deep.equal([true, false]);
  });

  it("stays fast on a long term with nested stars", () => {
    const re = compileLuceneRegexp("(a*)*b.*c");
    const long = `${"a".repeat(2000)}x`;
    const t0 = process.hrtime.bigint();
    expect(re.matches(long)).to.equal(false);
    // generous bound: a polynomial engine, not a backtracking one
    expect(Number(process.hrtime.bigint() - t0) / 1e6).to.be.lessThan(5000);
  });
});

describe("es-server: regexp queries through the target (the same table)", function () {
  let t: EsTarget;
  let index: string;
  const values = [...new Set(CASES.flatMap((c) => [...c.match, ...c.noMatch]))];

  before(async () => {
    t = await esTarget();
    index = t.name("regexp");
    await t.client.indices.create({
      index,
      settings: { number_of_replicas: 0 },
      mappings: { properties: { v: { type: "keyword" }, short: { type: "keyword", ignore_above: 3 } } },
    });
    await t.client.bulk({ refresh: true, operations: values.flatMap((v, i) => [{ index: { _index: index, _id: String(i) } }, { v, short: v }]) });
  });
  after(async () => {
    await t.close();
  });

  for (const c of CASES) {
    it(`${c.pattern}${c.flags ? ` flags ${c.flags}` : ""}${c.ci ? " case_insensitive" : ""}`, async () => {
      const r = await t.client.search<{ v: string }>({
        index,
        size: 1000,
        query: { regexp: { v: { value: c.pattern, flags: c.flags ?? "ALL", ...(c.ci ? { case_insensitive: true } : {}) } } },
      });
      const hit = new Set(r.hits.hits.map((h) => h._source?.v));
      for (const s of c.match) expect(hit.has(s), `${JSON.stringify(s)} should match`).to.equal(true);
      for (const s of c.noMatch) expect(hit.has(s), `${JSON.stringify(s)} should not match`).to.equal(false);
    });
  }

  it("a syntax error is a 400 query_shard_exception", async () => {
    const e = await expectStatus(t.client.search({ index, query: { regexp: { v: "(abc" } } }), 400);
    expect(reasons(e)).to.contain("expected ')'");
  });

  it("terms over ignore_above are not indexed, so a regexp never matches them", async () => {
    const r = await t.client.search<{ v: string }>({ index, size: 1000, query: { regexp: { short: "a.*" } } });
    const hit = r.hits.hits.map((h) => h._source?.v ?? "");
    expect(hit.length).to.be.greaterThan(0);
    expect(hit.every((v) => v.length <= 3 && v.startsWith("a"))).to.equal(true);
    expect(values.filter((v) => v.startsWith("a") && v.length <= 3).sort()).to.deep.equal([...hit].sort());
  });
});

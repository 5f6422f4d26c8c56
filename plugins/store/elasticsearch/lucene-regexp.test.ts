import { expect } from "chai";
import { compileRegex } from "../../../core/livestatus/query/regex";
import { luceneRegexpTest } from "../../../test/helpers/es-query-evaluator";
import { randomPattern, randomText } from "../../../test/helpers/random-re2";
import { seededRandom } from "../../../test/helpers/seeded-random";
import { luceneRegexpOf, MAX_LUCENE_LENGTH } from "./lucene-regexp";

describe("RE2 → Lucene regexp (Elasticsearch store)", () => {
  describe("translates exactly", () => {
    const table: [pattern: string, ignoreCase: boolean, lucene: string][] = [
      ["web", false, ".*web.*"],
      ["^web", false, "web.*"],
      ["web$", false, ".*web"],
      ["^web-01$", false, "web\\-01"],
      ["disk full", false, ".*disk full.*"],
      ["", false, ".*.*"],
      ["^$", false, "()"],
      ["^host-0[12]$", false, "host\\-0[1-2]"],
      ["a|^b$", false, ".*a.*|b"],
      ["^(a|b)c", false, "(a|b)c.*"],
      ["(?:ab)+", false, ".*(ab)+.*"],
      ["(a|)b", false, ".*(a|())b.*"],
      ["(a*)*", false, ".*(a*)*.*"],
      ["a{2}b{1,3}c{2,}", false, ".*a{2}b{1,3}c{2,}.*"],
      ["x?y*z+", false, ".*x?y*z+.*"],
      ["^[a-f0-9]{32}$", false, "[0-9a-f]{32}"],
      ["^\\d+\\.\\d+\\.\\d+\\.\\d+$", false, "[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+"],
      ["\\d+\\.\\d", false, ".*[0-9]+\\.[0-9].*"],
      ["^\\w\\s", false, "[0-9A-Z\\_a-z][\t-\n\f-\r ].*"],
      ["\\D\\W\\S", false, ".*[^0-9][^0-9A-Z\\_a-z][^\t-\n\f-\r ].*"],
      ["^.$", false, "[^\n]"],
      ["[^ab]", false, ".*[^a-b].*"],
      ["[]a]", false, ".*[\\]a].*"],
      ["[\\d_.-]", false, ".*[\\--\\.0-9\\_].*"],
      ["((a|b))c", false, ".*(a|b)c.*"],
      ["(a|b)", false, ".*(a|b).*"],
      ["\\t\\n\\r\\f\\v\\a", false, ".*\t\n\r\f\u000b\u0007.*"],
      // Lucene's reserved and optional-operator characters, escaped.
      ['"<>@&~#', false, '.*\\"\\<\\>\\@\\&\\~\\#.*'],
      ["é😀", false, ".*é😀.*"],
      // ~~: ASCII letters left to case_insensitive, k and s with their non-ASCII folds, classes closed under folding.
      ["web", true, ".*web.*"],
      ["k", true, ".*[Kk\u212a].*"],
      ["^S", true, "[Ss\u017f].*"],
      ["[a-c]", true, ".*[A-Ca-c].*"],
      ["[^k]", true, ".*[^Kk\u212a].*"],
      ["\\w", true, ".*[0-9A-Z\\_a-z\u017f\u212a].*"],
      ["\u212a", true, ".*[Kk\u212a].*"],
      ["1-2", true, ".*1\\-2.*"],
      ["→", true, ".*→.*"],
    ];
    for (const [pattern, ignoreCase, lucene] of table) {
      it(`${JSON.stringify(pattern)}${ignoreCase ? " (~~)" : ""} → ${JSON.stringify(lucene)}`, () => {
        expect(luceneRegexpOf(pattern, ignoreCase)).to.equal(lucene);
      });
    }
  });

  describe("refuses what has no exact Lucene form (checked in Node instead)", () => {
    const refused: [pattern: string, ignoreCase: boolean, why: string][] = [
      ["\\bweb", false, "word boundary"],
      ["\\Bweb", false, "not a word boundary"],
      ["(?i)web", false, "inline flags"],
      ["(?P<name>a)", false, "named group"],
      ["a*?", false, "non-greedy"],
      ["a+?b", false, "non-greedy"],
      ["\\pL", false, "Unicode class"],
      ["\\p{Greek}", false, "Unicode class"],
      ["\\x41", false, "hex escape"],
      ["\\101", false, "octal escape"],
      ["\\Qa.b\\E", false, "quoted text"],
      ["\\C", false, "any byte"],
      ["[[:alpha:]]", false, "POSIX class"],
      ["\\Aweb\\z", false, "text anchors"],
      ["a^b", false, "anchor inside"],
      ["(^a)", false, "anchor in a group"],
      ["a$|b$c", false, "anchor inside a branch"],
      ["a{,2}", false, "a brace that is not a repetition"],
      ["[\\D]", false, "negated Perl class in a class"],
      ["é", true, "non-ASCII letter under ~~ (ES 8 folds ASCII only)"],
      ["[à-ï]", true, "non-ASCII range under ~~"],
      ["a.{20}", false, "too many classes after an unanchored start (determinization)"],
      ["^a.*b.{20}", false, "too many classes after an unbounded repetition (determinization)"],
      ["(abc){400}", false, "too large once repetitions are expanded"],
    ];
    for (const [pattern, ignoreCase, why] of refused) {
      it(`${JSON.stringify(pattern)}${ignoreCase ? " (~~)" : ""}: ${why}`, () => {
        compileRegex(pattern, ignoreCase, "test"); // every one is valid RE2
        expect(luceneRegexpOf(pattern, ignoreCase)).to.equal(undefined);
      });
    }

    it("refuses a translation longer than Elasticsearch's index.max_regex_length", () => {
      const pattern = `^${"&".repeat(600)}$`; // 1200 characters once escaped
      expect(luceneRegexpOf(pattern, false)).to.equal(undefined);
      expect(luceneRegexpOf(`^${"&".repeat(MAX_LUCENE_LENGTH / 2 - 1)}$`, false)).to.have.length(MAX_LUCENE_LENGTH - 2);
    });
  });

  it("agrees with RE2 on random patterns and texts (Lucene semantics by an independent evaluator)", function () {
    this.timeout(120_000); // about 1 s on an idle machine
    const seed = 0x5eed13;
    const random = seededRandom(seed);
    let accepted = 0;
    let refused = 0;
    let matches = 0;
    let checks = 0;
    for (let n = 0; n < 3000; n++) {
      const pattern = randomPattern(random);
      const ignoreCase = random() < 0.4;
      let re2: (text: string) => boolean;
      try {
        re2 = compileRegex(pattern, ignoreCase, "test");
      } catch {
        continue; // not valid RE2 (`(?i)a{,2}`…): logEntryMatches rejects it before any translation
      }
      const lucene = luceneRegexpOf(pattern, ignoreCase);
      if (lucene === undefined) {
        refused++;
        continue;
      }
      accepted++;
      const test = luceneRegexpTest(lucene, ignoreCase);
      for (let t = 0; t < 40; t++) {
        const text = randomText(random);
        const expected = re2(text);
        checks++;
        if (expected) matches++;
        if (test(text) !== expected) {
          expect.fail(
            `seed ${seed}: ${JSON.stringify(pattern)}${ignoreCase ? " (~~)" : ""} → ${JSON.stringify(lucene)} on ${JSON.stringify(text)}: RE2 ${String(expected)}, Lucene ${String(!expected)}`,
          );
        }
      }
    }
    // The run must exercise both sides: many translations, matches and non-matches.
    expect(accepted, "patterns translated").to.be.greaterThan(1100);
    expect(refused, "patterns refused").to.be.greaterThan(150);
    expect(matches, "texts that match").to.be.greaterThan(checks / 10);
    expect(checks - matches, "texts that do not match").to.be.greaterThan(checks / 10);
  });
});

import { expect } from "chai";
import fc from "fast-check";
import RE2 from "re2";
import { compileFilter } from "../../../core/livestatus/query/filter";
import { MAX_REGEX_LENGTH, MAX_REGEX_PROGRAM_BYTES, compileRegex, requiredLiteral } from "../../../core/livestatus/query/regex";
import { livestatusError } from "./expect-error";
import { host, hostColumn, type Host } from "./test-table";

const matches = (pattern: string, text: string, ignoreCase = false): boolean => compileRegex(pattern, ignoreCase, "Filter")(text);

describe("compileRegex: RE2, as Checkmk (issue 11: one regex freezes everything)", () => {
  it("^(a+)+$ against a run of a's then ! answers at once (JavaScript's RegExp backtracked for 18 s on 29 a's)", () => {
    const started = performance.now();
    expect(matches("^(a+)+$", `${"a".repeat(29)}!`)).to.equal(false);
    expect(matches("^(a+)+$", `${"a".repeat(40)}!`)).to.equal(false);
    expect(matches("(a|aa)+$", `${"a".repeat(10_000)}!`)).to.equal(false);
    expect(matches("^(a+)+$", "a".repeat(40))).to.equal(true);
    // RE2 takes microseconds here; the bound only has to be far below the backtracking time.
    expect(performance.now() - started).to.be.below(1000);
  });

  it("through a compiled filter too: plugin_output ~ ^(a+)+$ on 40 a's then !", () => {
    const test = compileFilter<Host>({ kind: "compare", column: "plugin_output", op: "~", operand: "^(a+)+$" }, hostColumn, 0);
    const started = performance.now();
    expect(test(host({ name: "h", plugin_output: `${"a".repeat(40)}!` }))).to.equal(false);
    expect(performance.now() - started).to.be.below(1000);
  });

  it("searches unanchored (RE2 PartialMatch); ~~ folds case", () => {
    expect(matches("web", "my-web-1")).to.equal(true);
    expect(matches("^web", "my-web-1")).to.equal(false);
    expect(matches("^web", "web-1")).to.equal(true);
    expect(matches("1$", "web-1")).to.equal(true);
    expect(matches("^web-1$", "web-1")).to.equal(true);
    expect(matches("WEB", "web-1")).to.equal(false);
    expect(matches("WEB", "web-1", true)).to.equal(true);
    expect(matches("HOST-000[12]", "xHOST-0002")).to.equal(true);
    expect(matches("HOST-000[12]", "host-0002", true)).to.equal(true);
    expect(matches("", "anything")).to.equal(true);
  });

  it("takes the syntax clients send: \\-, (?i), \\d, classes, named groups, \\Q…\\E, POSIX classes", () => {
    expect(matches("web\\-1", "web-1")).to.equal(true);
    expect(matches("192\\.168\\.1\\.1", "192.168.1.1")).to.equal(true);
    expect(matches("192\\.168\\.1\\.1", "192x168.1.1")).to.equal(false);
    expect(matches("(?i)^web", "WEB-1")).to.equal(true);
    expect(matches("\\d+%", "disk 91% used")).to.equal(true);
    expect(matches("(?<word>ok)", "ok")).to.equal(true);
    expect(matches("\\Qa.b\\E", "a.b")).to.equal(true);
    expect(matches("\\Qa.b\\E", "axb")).to.equal(false);
    expect(matches("^[[:alpha:]]+$", "abc")).to.equal(true);
    expect(matches("a/b", "a/b")).to.equal(true);
  });

  it("matches code points, not UTF-16 units: unicode text and patterns", () => {
    expect(matches("^.$", "é")).to.equal(true);
    expect(matches("^.$", "😀")).to.equal(true);
    expect(matches("café", "CAFÉ au lait", true)).to.equal(true);
    expect(matches("^caf.$", "café")).to.equal(true);
    expect(matches("\\x{e9}", "é")).to.equal(true);
    expect(matches("\\u00e9", "é")).to.equal(true);
    expect(matches("\\pL", "é")).to.equal(true);
    // Simple case folding, as RE2: the Kelvin sign is a k, ſ an s.
    expect(matches("k", "\u212a", true)).to.equal(true);
    expect(matches("s$", "\u017f", true)).to.equal(true);
  });

  it("keeps RE2's own meanings where JavaScript differs: \\w \\s \\b are ASCII, $ only at the very end, . not a newline", () => {
    expect(matches("\\w", "é")).to.equal(false);
    expect(matches("\\s", "\u00a0")).to.equal(false);
    expect(matches("a$", "a\n")).to.equal(false);
    expect(matches("^b", "a\nb")).to.equal(false);
    expect(matches("a.b", "a\nb")).to.equal(false);
  });

  for (const [pattern, what] of [
    ["(a)\\1", "a backreference"],
    ["a(?=b)", "a lookahead"],
    ["a(?!b)", "a negative lookahead"],
    ["(?<=a)b", "a lookbehind"],
    ["(?<!a)b", "a negative lookbehind"],
    ["a++", "a possessive quantifier"],
    ["(?>a)", "an atomic group"],
    ["a\\Z", "\\Z"],
    ["(unclosed", "an unclosed group"],
    ["*", "a quantifier with nothing to repeat"],
    ["[z-a]", "a reversed range"],
  ] as const) {
    it(`400 naming the header and the pattern for ${what}: ${pattern}`, () => {
      const message = livestatusError(() => compileRegex(pattern, false, "Stats"), 400);
      expect(message.startsWith(`Stats: invalid regular expression '${pattern}': `), message).to.equal(true);
    });
  }

  it(`400 for a pattern over ${MAX_REGEX_LENGTH} characters or compiling to more than ${MAX_REGEX_PROGRAM_BYTES / 1024} KiB`, () => {
    expect(livestatusError(() => compileRegex("a".repeat(MAX_REGEX_LENGTH + 1), false, "Filter"), 400)).to.contain("too long");
    for (const pattern of ["[ab]{999}[ab]{999}", ".{500}", ".{200}.{200}", "\\pL\\pL"]) {
      expect(livestatusError(() => compileRegex(pattern, false, "WaitCondition"), 400)).to.equal(
        `WaitCondition: regular expression too complex '${pattern}': it compiles to more than ${MAX_REGEX_PROGRAM_BYTES / 1024} KiB (large counted repetitions such as .{500} or several Unicode classes)`,
      );
    }
    // What clients send stays far below.
    const hosts = Array.from({ length: 90 }, (_, i) => `host-${String(i).padStart(4, "0")}`);
    expect(matches(`^(${hosts.join("|")})$`, "host-0042")).to.equal(true);
    expect(matches("(?i)^(web|db|mail)[0-9]+\\.example\\.com$", "WEB12.example.com", true)).to.equal(true);
    expect(matches("\\pL", "x")).to.equal(true);
    expect(matches("a".repeat(MAX_REGEX_LENGTH), "a".repeat(MAX_REGEX_LENGTH))).to.equal(true);
  });

  it("answers as RE2 itself does on random patterns and texts (literals take a JavaScript path; the rest RE2 on UTF-8 bytes)", () => {
    const chars = ["a", "A", "b", "k", "K", "\u212a", "s", "S", "\u017f", "é", "É", "ß", "ẞ", "😀", "-", ".", " ", "\n", "$", "^", "]", "}", "\ufffd"];
    // Literals, and patterns with a required literal (`ab[ab]`) that a JavaScript search tries first.
    const pieces = [
      ...chars,
      "ab",
      "sk",
      "\\-",
      "\\.",
      "\\$",
      "\\^",
      "\\]",
      "[ab]",
      "[]a]",
      "[^]a]",
      "[[:alpha:]]",
      "(a|b)",
      "(?:ab)+",
      "|",
      ".",
      "a*",
      "b+",
      "😀+",
      "a?",
      "a{2}",
      "a{,2}",
      "\\d",
      "\\x{41}",
      "\\u00e9",
      "\\pL",
      "(?i)",
      "(?i:a)",
      "{|}",
      "{2,}",
    ];
    const text = fc.array(fc.constantFrom(...chars, "1", "\ud800"), { maxLength: 12 }).map((a) => a.join(""));
    const pattern = fc.array(fc.constantFrom(...pieces), { maxLength: 6 }).map((a) => a.join(""));
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 5 }), fc.boolean(), (p, texts, ignoreCase) => {
        let reference: RE2;
        try {
          reference = new RE2(p, ignoreCase ? "iu" : "u");
        } catch {
          return; // refused by RE2: compileRegex answers 400 (tested above)
        }
        let compiled: (text: string) => boolean;
        try {
          compiled = compileRegex(p, ignoreCase, "Filter");
        } catch (err) {
          if (err instanceof Error && err.message.includes("too complex")) return; // over the program budget (tested above)
          throw err;
        }
        for (const t of texts) expect(compiled(t), `${JSON.stringify(p)} ${ignoreCase ? "~~" : "~"} ${JSON.stringify(t)}`).to.equal(reference.test(t));
      }),
      { numRuns: 3000 },
    );
  });

  it("finds the literal every match contains, leaving out quantified characters, groups, classes and alternatives", () => {
    expect(requiredLiteral("host1[23]4")).to.equal("host1");
    expect(requiredLiteral("^HOST-[0-9]+\\.example\\.com$")).to.equal("\\.example\\.com");
    expect(requiredLiteral("disk (full|gone)")).to.equal("disk ");
    expect(requiredLiteral("abc+de")).to.equal("ab");
    expect(requiredLiteral("[[:alpha:]]xyz[]]q")).to.equal("xyz");
    expect(requiredLiteral("\\u00e9t\\x{41}BCD\\dxy")).to.equal("BCD");
    for (const none of ["a|b", "(?i)abc", "\\Qabc\\E", "[a-z]+", "(abc)", "a{2"]) expect(requiredLiteral(none), none).to.equal(undefined);
  });

  it("a value longer than the shared UTF-8 buffer is matched whole", () => {
    const long = `${"x".repeat(100_000)}needle${"é".repeat(30_000)}`;
    expect(matches("need+le", long)).to.equal(true);
    expect(matches("needleé+$", long)).to.equal(true);
    expect(matches("needleé+x", long)).to.equal(false);
  });
});

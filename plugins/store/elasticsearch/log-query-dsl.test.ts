import { expect } from "chai";
import { LivestatusError } from "../../../core/livestatus/protocol/livestatus-error";
import { logEntry, type LogEntry } from "../../../core/state/log-entry";
import { logEntryMatches, logPageOf, type LogCondition, type LogNumberField, type LogNumberOp, type LogTextField } from "../../../core/store/log-query";
import { documentMatches } from "../../../test/helpers/es-query-evaluator";
import { pick, randomPattern, type Random } from "../../../test/helpers/random-re2";
import { seededRandom } from "../../../test/helpers/seeded-random";
import { toLogDocument } from "./documents";
import { logSearchOf, MAX_TERMS } from "./log-query-dsl";

const num = (field: LogNumberField, op: LogNumberOp, value: number): LogCondition => ({ kind: "number", field, op, value });
const isIn = (field: LogTextField, ...values: string[]): LogCondition => ({ kind: "in", field, values });
const match = (field: LogTextField, pattern: string, ignoreCase = false): LogCondition => ({ kind: "match", field, pattern, ignoreCase });
const and = (...children: LogCondition[]): LogCondition => ({ kind: "and", children });
const or = (...children: LogCondition[]): LogCondition => ({ kind: "or", children });
const not = (child: LogCondition): LogCondition => ({ kind: "not", child });

describe("log condition → Query DSL (Elasticsearch store)", () => {
  describe("shapes", () => {
    it("no condition and no range: match_all, nothing to filter in Node", () => {
      expect(logSearchOf(undefined)).to.deep.equal({ query: { match_all: {} }, postFilter: undefined, matchesNothing: false });
    });

    it("since and until: one range each, inside bool.filter", () => {
      expect(logSearchOf(undefined, 100, 200).query).to.deep.equal({
        bool: { filter: [{ range: { time: { gte: 100 } } }, { range: { time: { lte: 200 } } }] },
      });
      expect(logSearchOf(undefined, 100.5).query).to.deep.equal({ bool: { filter: [{ range: { time: { gte: 100.5 } } }] } });
      // NaN is no bound (as logPageOf reads it); an infinite since leaves nothing.
      expect(logSearchOf(undefined, Number.NaN, Number.NaN).query).to.deep.equal({ match_all: {} });
      expect(logSearchOf(undefined, Infinity).matchesNothing).to.equal(true);
      expect(logSearchOf(undefined, -Infinity, Infinity).query).to.deep.equal({ match_all: {} });
    });

    const numbers: [LogNumberOp, object][] = [
      ["=", { term: { state: 2 } }],
      ["!=", { bool: { must_not: [{ term: { state: 2 } }] } }],
      ["<", { range: { state: { lt: 2 } } }],
      ["<=", { range: { state: { lte: 2 } } }],
      [">", { range: { state: { gt: 2 } } }],
      [">=", { range: { state: { gte: 2 } } }],
    ];
    for (const [op, dsl] of numbers) {
      it(`number ${op}: ${JSON.stringify(dsl)}`, () => {
        const s = logSearchOf(num("state", op, 2));
        expect(s.query).to.deep.equal({ bool: { filter: [dsl] } });
        expect(s.postFilter).to.equal(undefined);
      });
    }

    it("number fields time, class and state are pushed down; non-finite operands fold to constants", () => {
      expect(logSearchOf(num("time", ">", 1.25)).query).to.deep.equal({ bool: { filter: [{ range: { time: { gt: 1.25 } } }] } });
      expect(logSearchOf(num("class", "=", 1)).query).to.deep.equal({ bool: { filter: [{ term: { class: 1 } }] } });
      expect(logSearchOf(num("state", "=", Number.NaN)).matchesNothing).to.equal(true);
      expect(logSearchOf(num("state", "!=", Number.NaN)).query).to.deep.equal({ match_all: {} });
      expect(logSearchOf(num("time", "<", Infinity)).query).to.deep.equal({ match_all: {} });
      expect(logSearchOf(num("time", ">=", Infinity)).matchesNothing).to.equal(true);
    });

    it("in: term for one value, terms for several (deduplicated), nothing for none", () => {
      expect(logSearchOf(isIn("hostname", "web1")).query).to.deep.equal({ bool: { filter: [{ term: { hostname: "web1" } }] } });
      expect(logSearchOf(isIn("check", "disk", "cpu", "disk")).query).to.deep.equal({ bool: { filter: [{ terms: { check: ["disk", "cpu"] } }] } });
      expect(logSearchOf(isIn("type")).matchesNothing).to.equal(true);
    });

    it("in: a list longer than index.max_terms_count is split into terms under should", () => {
      const values = Array.from({ length: MAX_TERMS + 2 }, (_, i) => `h${i}`);
      const q = logSearchOf(isIn("hostname", ...values)).query as {
        bool: { filter: { bool: { should: { terms: { hostname: string[] } }[]; minimum_should_match: number } }[] };
      };
      const should = q.bool.filter[0]!.bool.should;
      expect(should.map((t) => t.terms.hostname.length)).to.deep.equal([MAX_TERMS, 2]);
      expect(q.bool.filter[0]!.bool.minimum_should_match).to.equal(1);
    });

    it("match: regexp with flags NONE; ~~ adds case_insensitive", () => {
      expect(logSearchOf(match("hostname", "^web")).query).to.deep.equal({ bool: { filter: [{ regexp: { hostname: { value: "web.*", flags: "NONE" } } }] } });
      expect(logSearchOf(match("check", "^cpu", true)).query).to.deep.equal({
        bool: { filter: [{ regexp: { check: { value: "cpu.*", flags: "NONE", case_insensitive: true } } }] },
      });
      expect(logSearchOf(match("type", "")).query).to.deep.equal({ match_all: {} });
    });

    it("match: a regex without an exact Lucene form is checked in Node", () => {
      const cond = match("hostname", "\\bweb");
      expect(logSearchOf(cond, 100)).to.deep.equal({
        query: { bool: { filter: [{ range: { time: { gte: 100 } } }] } },
        postFilter: cond,
        matchesNothing: false,
      });
    });

    it("an invalid regular expression fails as in the reference (LivestatusError)", () => {
      expect(() => logSearchOf(match("hostname", "a("))).to.throw(LivestatusError, /invalid regular expression/);
    });

    for (const field of ["output", "message"] as const) {
      it(`${field}: never pushed down (indexed only up to ignore_above)`, () => {
        for (const cond of [isIn(field, "x"), match(field, "^x$")]) {
          expect(logSearchOf(cond)).to.deep.equal({ query: { match_all: {} }, postFilter: cond, matchesNothing: false });
        }
      });
    }

    it("and: bool.filter of its parts, flattened; the inexact parts alone go to the post-filter", () => {
      const out = match("output", "disk");
      const s = logSearchOf(and(isIn("hostname", "a", "b"), and(num("state", ">", 0), out), num("class", "=", 1)), 10);
      expect(s.query).to.deep.equal({
        bool: { filter: [{ range: { time: { gte: 10 } } }, { terms: { hostname: ["a", "b"] } }, { range: { state: { gt: 0 } } }, { term: { class: 1 } }] },
      });
      expect(s.postFilter).to.deep.equal(out);
      expect(logSearchOf(and()).query).to.deep.equal({ match_all: {} });
      expect(logSearchOf(and(isIn("hostname"), out)).matchesNothing).to.equal(true);
    });

    it("or: bool.should with minimum_should_match 1; an inexact part makes the whole or a post-filter", () => {
      expect(logSearchOf(or(isIn("hostname", "a"), num("state", "=", 2))).query).to.deep.equal({
        bool: { filter: [{ bool: { should: [{ term: { hostname: "a" } }, { term: { state: 2 } }], minimum_should_match: 1 } }] },
      });
      const cond = or(isIn("hostname", "a"), match("message", "x"));
      expect(logSearchOf(cond)).to.deep.equal({ query: { match_all: {} }, postFilter: cond, matchesNothing: false });
      expect(logSearchOf(or()).matchesNothing).to.equal(true);
      expect(logSearchOf(or(isIn("hostname"), isIn("check", "c"))).query).to.deep.equal({ bool: { filter: [{ term: { check: "c" } }] } });
    });

    it("not: must_not of an exact part; double negation cancels", () => {
      expect(logSearchOf(not(isIn("hostname", "a"))).query).to.deep.equal({ bool: { filter: [{ bool: { must_not: [{ term: { hostname: "a" } }] } }] } });
      expect(logSearchOf(not(num("state", "!=", 1))).query).to.deep.equal({ bool: { filter: [{ term: { state: 1 } }] } });
      expect(logSearchOf(not(isIn("hostname"))).query).to.deep.equal({ match_all: {} });
    });

    it("not over an inexact part is not pushed down (its superset negated would drop matches)", () => {
      const cond = not(and(isIn("hostname", "a"), match("output", "x")));
      expect(logSearchOf(cond)).to.deep.equal({ query: { match_all: {} }, postFilter: cond, matchesNothing: false });
    });

    it("not over an or pushes the negation of its exact part (a subset of the or)", () => {
      const cond = not(or(isIn("hostname", "a"), match("output", "x")));
      expect(logSearchOf(cond)).to.deep.equal({
        query: { bool: { filter: [{ bool: { must_not: [{ term: { hostname: "a" } }] } }] } },
        postFilter: cond,
        matchesNothing: false,
      });
    });
  });

  describe("semantics (seeded property test against logEntryMatches)", () => {
    const HOSTS = ["web1", "web2", "db", "Web1", "k\u212a", ""];
    const CHECKS = ["", "disk", "cpu", "Disk /", "s\u017f"];
    const TYPES = ["SERVICE ALERT", "HOST ALERT", "EXTERNAL COMMAND"];
    const TEXTS = ["", "DISK OK", "disk critical\nline 2", "é<@>", "web1 down", "K\u212a"];
    const TIMES = [100, 100.5, 101, 102, 103.25];

    function randomEntry(random: Random): LogEntry {
      return logEntry({
        time: pick(random, TIMES),
        class: Math.floor(random() * 7),
        type: pick(random, TYPES),
        hostname: pick(random, HOSTS),
        check: pick(random, CHECKS),
        state: Math.floor(random() * 4),
        stateType: "HARD",
        attempt: 1,
        output: pick(random, TEXTS),
        message: pick(random, TEXTS),
      });
    }

    const TEXT_FIELDS: LogTextField[] = ["hostname", "check", "type", "output", "message"];
    const VALUES: Record<LogTextField, readonly string[]> = { hostname: HOSTS, check: CHECKS, type: TYPES, output: TEXTS, message: TEXTS };
    const PATTERNS = ["^web", "1$", "^web[12]$", "disk", "\\bweb", "^$", "ALERT", "k", "s", "\\w+\\s", "^(db|web2)$", ".", "^.$", "a*?", "é"];

    function randomCondition(random: Random, depth: number): LogCondition {
      const r = random();
      if (depth > 0 && r < 0.3) {
        const children = Array.from({ length: Math.floor(random() * 4) }, () => randomCondition(random, depth - 1));
        return random() < 0.5 ? and(...children) : or(...children);
      }
      if (depth > 0 && r < 0.4) return not(randomCondition(random, depth - 1));
      if (r < 0.6) {
        const field = pick(random, ["time", "class", "state"] as const);
        const value =
          field === "time" ? pick(random, [...TIMES, 101.5, Number.NaN, Infinity, -Infinity]) : Math.floor(random() * 5) - (random() < 0.1 ? 0.5 : 0);
        return num(field, pick(random, ["=", "!=", "<", "<=", ">", ">="] as const), value);
      }
      const field = pick(random, TEXT_FIELDS);
      if (r < 0.8) return isIn(field, ...Array.from({ length: Math.floor(random() * 3) }, () => pick(random, VALUES[field])));
      const pattern = random() < 0.5 ? pick(random, PATTERNS) : randomPattern(random, 1);
      return match(field, pattern, random() < 0.4);
    }

    it("(entries the query selects, then the post-filter) = logPageOf over random conditions and entries", function () {
      this.timeout(120_000); // about 3 s on an idle machine
      const seed = 0x13e5;
      const random = seededRandom(seed);
      let pushedDown = 0;
      let postFiltered = 0;
      let nonEmpty = 0;
      for (let n = 0; n < 3000; n++) {
        const entries = Array.from({ length: 30 }, () => randomEntry(random));
        const where = randomCondition(random, 3);
        const since = random() < 0.3 ? pick(random, TIMES) : undefined;
        const until = random() < 0.3 ? pick(random, TIMES) : undefined;
        let expected: LogEntry[];
        try {
          expected = [...logPageOf(entries, { where, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) }).entries];
        } catch (err) {
          // An invalid random pattern: the translation must fail the same way.
          expect(() => logSearchOf(where, since, until), `seed ${seed} #${n}`).to.throw((err as Error).constructor);
          continue;
        }
        const search = logSearchOf(where, since, until);
        if (search.postFilter === undefined) pushedDown++;
        else postFiltered++;
        const post = search.postFilter === undefined ? () => true : logEntryMatches(search.postFilter);
        const got = search.matchesNothing ? [] : entries.filter((e) => documentMatches(search.query, toLogDocument(e, "n1")) && post(e));
        if (expected.length > 0) nonEmpty++;
        const ids = (es: readonly LogEntry[]): string[] => es.map((e) => e.id).sort();
        expect(ids(got), `seed ${seed} #${n}: ${JSON.stringify({ where, since, until })} → ${JSON.stringify(search)}`).to.deep.equal(ids(expected));
      }
      expect(pushedDown, "conditions pushed down whole").to.be.greaterThan(800);
      expect(postFiltered, "conditions with a post-filter").to.be.greaterThan(300);
      expect(nonEmpty, "reads with entries").to.be.greaterThan(1000);
    });
  });
});

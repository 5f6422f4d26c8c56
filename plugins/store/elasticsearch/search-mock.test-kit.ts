/**
 * Searches answered over `@elastic/elasticsearch-mock` from documents held by the test: the
 * query through the independent evaluator (test/helpers/es-query-evaluator.ts), sort,
 * search_after, size and _source as Elasticsearch applies them. Every request is recorded
 * (path, querystring, body) so that tests assert what the store sends. Not the test server
 * (test/es-server): only what the read side's unit tests need.
 */
import { Client, errors } from "@elastic/elasticsearch";
import Mock from "@elastic/elasticsearch-mock";
import { documentMatches } from "../../../test/helpers/es-query-evaluator";

export interface RecordedSearch {
  readonly index: string;
  readonly querystring: Readonly<Record<string, unknown>>;
  readonly body: SearchBody;
}

export interface SearchBody {
  readonly query?: unknown;
  readonly sort?: readonly Record<string, { order: "asc" | "desc" }>[];
  readonly size?: number;
  readonly search_after?: readonly (string | number)[];
  readonly _source?: readonly string[];
  readonly track_total_hits?: boolean;
}

type Doc = Readonly<Record<string, unknown>>;

export class SearchMock {
  readonly searches: RecordedSearch[] = [];
  readonly client: Client;
  private readonly mock = new Mock();
  /** Documents of each index (a name, or a pattern ending in `*` matching several). */
  private readonly indices = new Map<string, Doc[]>();
  /** Answer every search with this error instead (a status and an Elasticsearch error type). */
  failure: { status: number; type: string } | undefined;

  constructor() {
    this.client = new Client({ node: "http://localhost:9200", Connection: this.mock.getConnection(), maxRetries: 0 });
    this.mock.add({ method: ["GET", "POST"], path: "/:index/_search" }, (params) => {
      const index = decodeURIComponent(String((params.path as string).split("/")[1]));
      const body = (params.body ?? {}) as SearchBody;
      this.searches.push({ index, querystring: params.querystring ?? {}, body });
      if (this.failure !== undefined) {
        const { status, type } = this.failure;
        return new errors.ResponseError({
          body: { error: { type, reason: `test failure ${type}` }, status },
          statusCode: status,
          headers: {},
          warnings: null,
          meta: {} as never,
        });
      }
      return { took: 1, timed_out: false, hits: { hits: this.answer(index, body) } };
    });
  }

  put(index: string, docs: readonly object[]): void {
    this.indices.set(index, [...(this.indices.get(index) ?? []), ...(docs as Doc[])]);
  }

  private answer(index: string, body: SearchBody): object[] {
    const docs = [...this.indices.entries()]
      .filter(([name]) => (index.endsWith("*") ? name.startsWith(index.slice(0, -1)) : name === index))
      .flatMap(([, d]) => d)
      .filter((d) => body.query === undefined || documentMatches(body.query, d));
    const sort = (body.sort ?? []).map((s) => {
      const [field, spec] = Object.entries(s)[0]!;
      return { field, desc: spec.order === "desc" };
    });
    const compare = (a: readonly unknown[], b: readonly unknown[]): number => {
      for (let i = 0; i < sort.length; i++) {
        const x = a[i] as string | number;
        const y = b[i] as string | number;
        const c = x < y ? -1 : x > y ? 1 : 0;
        if (c !== 0) return sort[i]!.desc ? -c : c;
      }
      return 0;
    };
    const keyOf = (d: Doc): unknown[] => sort.map((s) => d[s.field]);
    let rows = docs.map((d) => ({ d, key: keyOf(d) })).sort((a, b) => compare(a.key, b.key));
    const after = body.search_after;
    if (after !== undefined) rows = rows.filter((r) => compare(r.key, after) > 0);
    const size = body.size ?? 10;
    return rows.slice(0, size).map(({ d, key }, i) => {
      const source = body._source === undefined ? d : Object.fromEntries(body._source.map((f) => [f, d[f]]));
      return { _index: index, _id: typeof d.id === "string" ? d.id : String(i), _score: null, _source: source, sort: key };
    });
  }
}

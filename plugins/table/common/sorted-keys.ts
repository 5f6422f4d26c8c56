/** What a SortedKeys cache reads: a keyed collection that grows and (rarely) loses keys. */
export interface KeyedSource<V> {
  readonly size: number;
  get(key: string): V | undefined;
  keys(): Iterable<string>;
}

/** Code-unit order: deterministic and locale-free, as Checkmk's and LMD's byte-wise sorts. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The values of a keyed source in key order, with the sorted key list kept between queries.
 * Sorting 10,000 host names costs more than looking them all up, so the list is sorted only
 * when it no longer matches: the size changed (a host or service appeared) or a key is
 * gone (one removed and another added between two queries). Checking that costs one lookup
 * per key. A source with a change counter (`version`) spares even the lookups: while the
 * counter stands still, the last values are returned as they are.
 */
export class SortedKeys {
  private sorted: string[] = [];
  private cached: { readonly version: number; readonly values: readonly unknown[] } | undefined;

  values<V>(source: KeyedSource<V>, version?: number): readonly V[] {
    if (version !== undefined && this.cached !== undefined && this.cached.version === version) return this.cached.values as readonly V[];
    const values = this.lookUp(source);
    if (version !== undefined) this.cached = { version, values };
    return values;
  }

  private lookUp<V>(source: KeyedSource<V>): V[] {
    if (this.sorted.length === source.size) {
      const out: V[] = [];
      for (const key of this.sorted) {
        const v = source.get(key);
        if (v === undefined) break;
        out.push(v);
      }
      if (out.length === this.sorted.length) return out;
    }
    this.sorted = [...source.keys()].sort(byCodeUnit);
    return this.sorted.map((key) => source.get(key) as V);
  }
}

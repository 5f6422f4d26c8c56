/**
 * A binary min-heap of (deadline, key, version) entries for the freshness check: finding
 * what is due costs O(due × log n), not a scan of every check. Entries are never updated in
 * place; a newer result pushes a new entry and the old one is skipped when it surfaces
 * (its version no longer matches), so `compact()` must be called when stale ones pile up.
 */
export interface DeadlineEntry {
  /** Seconds since the epoch. */
  readonly at: number;
  readonly key: string;
  /** The lastCheck of the state the deadline was computed for. */
  readonly version: number;
}

export class DeadlineHeap {
  private items: DeadlineEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: DeadlineEntry): void {
    const a = this.items;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.at <= entry.at) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = entry;
  }

  peek(): DeadlineEntry | undefined {
    return this.items[0];
  }

  pop(): DeadlineEntry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && a[r]!.at < a[l]!.at ? r : l;
      if (a[child]!.at >= last.at) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }

  /** Keeps only the entries `isLive` approves (O(n log n): a sorted array is a valid heap). */
  compact(isLive: (e: DeadlineEntry) => boolean): void {
    const kept = this.items.filter(isLive);
    kept.sort((x, y) => x.at - y.at);
    this.items = kept;
  }
}

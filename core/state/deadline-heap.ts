/**
 * A binary min-heap of (deadline, key, version) entries for the freshness check: finding
 * what is due costs O(due × log n), not a scan of every check. Entries are never updated in
 * place; a newer result pushes a new entry and the old one is skipped when it surfaces
 * (its version no longer matches), so `compact()` must be called when stale ones pile up.
 */
export interface DeadlineEntry {
  /** Seconds since the epoch. */
  readonly at: number;
  /** The check's host and name, apart: no key string built per result (garbage), none split when it surfaces. */
  readonly hostname: string;
  readonly check: string;
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

  /**
   * Keeps only the entries `isLive` approves, in O(n): the kept entries are made a heap again
   * bottom-up (Floyd), not sorted (a sort of a million entries held the event loop for a
   * good part of a second).
   */
  compact(isLive: (e: DeadlineEntry) => boolean): void {
    const a = this.items.filter(isLive);
    for (let i = (a.length >> 1) - 1; i >= 0; i--) siftDown(a, i);
    this.items = a;
  }
}

/** Moves the entry at `i` down until neither child is due before it. */
function siftDown(a: DeadlineEntry[], i: number): void {
  const entry = a[i]!;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= a.length) break;
    const r = l + 1;
    const child = r < a.length && a[r]!.at < a[l]!.at ? r : l;
    if (a[child]!.at >= entry.at) break;
    a[i] = a[child]!;
    i = child;
  }
  a[i] = entry;
}

/**
 * A binary min-heap of (deadline, check, version) entries for the freshness check: finding
 * what is due costs O(due × log n), not a scan of every check. Entries are never updated in
 * place; a newer result pushes a new entry and the old one is skipped when it surfaces
 * (its version no longer matches), so `compact()` must be called when stale ones pile up.
 */
export interface DeadlineEntry {
  /** Seconds since the epoch. */
  readonly at: number;
  readonly hostname: string;
  readonly check: string;
  /** The lastCheck of the state the deadline was computed for. */
  readonly version: number;
}

/**
 * The heap holds one entry per check (and more until compacted): at a million checks an
 * object per entry and a joined key string cost ~90 bytes each. Four parallel arrays hold
 * the same in 32 bytes, the host and check names being the state's own strings (shared).
 */
export class DeadlineHeap {
  private at: number[] = [];
  private hostname: string[] = [];
  private check: string[] = [];
  private version: number[] = [];

  get size(): number {
    return this.at.length;
  }

  push(entry: DeadlineEntry): void {
    this.at.push(entry.at);
    this.hostname.push(entry.hostname);
    this.check.push(entry.check);
    this.version.push(entry.version);
    let i = this.at.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= entry.at) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, entry.at, entry.hostname, entry.check, entry.version);
  }

  /** The earliest deadline (seconds since the epoch), undefined when empty. */
  peekAt(): number | undefined {
    return this.at[0];
  }

  pop(): DeadlineEntry | undefined {
    if (this.at.length === 0) return undefined;
    const top: DeadlineEntry = { at: this.at[0]!, hostname: this.hostname[0]!, check: this.check[0]!, version: this.version[0]! };
    const at = this.at.pop()!;
    const hostname = this.hostname.pop()!;
    const check = this.check.pop()!;
    const version = this.version.pop()!;
    if (this.at.length > 0) {
      this.set(0, at, hostname, check, version);
      this.siftDown(0);
    }
    return top;
  }

  /**
   * Keeps only the entries `isLive` approves, in O(n): the kept entries are packed in place and
   * made a heap again bottom-up (Floyd), not sorted (a sort of a million entries held the
   * event loop for a good part of a second).
   */
  compact(isLive: (e: DeadlineEntry) => boolean): void {
    let n = 0;
    for (let i = 0; i < this.at.length; i++) {
      const e = { at: this.at[i]!, hostname: this.hostname[i]!, check: this.check[i]!, version: this.version[i]! };
      if (isLive(e)) this.set(n++, e.at, e.hostname, e.check, e.version);
    }
    this.at.length = n;
    this.hostname.length = n;
    this.check.length = n;
    this.version.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Moves the entry at `i` down until neither child is due before it. */
  private siftDown(i: number): void {
    const len = this.at.length;
    const at = this.at[i]!;
    const hostname = this.hostname[i]!;
    const check = this.check[i]!;
    const version = this.version[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= len) break;
      const r = l + 1;
      const child = r < len && this.at[r]! < this.at[l]! ? r : l;
      if (this.at[child]! >= at) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, at, hostname, check, version);
  }

  private move(from: number, to: number): void {
    this.set(to, this.at[from]!, this.hostname[from]!, this.check[from]!, this.version[from]!);
  }

  private set(i: number, at: number, hostname: string, check: string, version: number): void {
    this.at[i] = at;
    this.hostname[i] = hostname;
    this.check[i] = check;
    this.version[i] = version;
  }
}

/**
 * A binary min-heap of (deadline, check) entries for the freshness check: finding what is
 * due costs O(due × log n), not a scan of every check. Entries are never updated in place:
 * freshness.ts arms a check's deadline once and checks, when the entry comes due, whether a
 * newer result moved it (then it pushes the entry again, later); `compact()` is only the
 * safety net for entries left behind (a check removed and back, a rollback).
 */
export interface DeadlineEntry {
  /** Seconds since the epoch. */
  readonly at: number;
  readonly hostname: string;
  readonly check: string;
}

/**
 * The heap holds about one entry per check: at a million checks an object per entry and a
 * joined key string cost ~90 bytes each. Three parallel arrays hold the same in 16 bytes,
 * the host and check names being the state's own strings (shared).
 */
export class DeadlineHeap {
  private at: number[] = [];
  private hostname: string[] = [];
  private check: string[] = [];

  get size(): number {
    return this.at.length;
  }

  push(entry: DeadlineEntry): void {
    this.at.push(entry.at);
    this.hostname.push(entry.hostname);
    this.check.push(entry.check);
    let i = this.at.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= entry.at) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, entry.at, entry.hostname, entry.check);
  }

  /** The earliest deadline (seconds since the epoch), undefined when empty. */
  peekAt(): number | undefined {
    return this.at[0];
  }

  pop(): DeadlineEntry | undefined {
    if (this.at.length === 0) return undefined;
    const top: DeadlineEntry = { at: this.at[0]!, hostname: this.hostname[0]!, check: this.check[0]! };
    const at = this.at.pop()!;
    const hostname = this.hostname.pop()!;
    const check = this.check.pop()!;
    if (this.at.length > 0) {
      this.set(0, at, hostname, check);
      this.siftDown(0);
    }
    return top;
  }

  /**
   * Keeps the entries `deadlineOf` gives a deadline for, moved to that deadline (undefined:
   * dropped), in O(n): the kept entries are packed in place and made a heap again bottom-up
   * (Floyd), not sorted (a sort of a million entries held the event loop for a good part of
   * a second).
   */
  compact(deadlineOf: (hostname: string, check: string) => number | undefined): void {
    let n = 0;
    for (let i = 0; i < this.at.length; i++) {
      const hostname = this.hostname[i]!;
      const check = this.check[i]!;
      const at = deadlineOf(hostname, check);
      if (at !== undefined) this.set(n++, at, hostname, check);
    }
    this.at.length = n;
    this.hostname.length = n;
    this.check.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Moves the entry at `i` down until neither child is due before it. */
  private siftDown(i: number): void {
    const len = this.at.length;
    const at = this.at[i]!;
    const hostname = this.hostname[i]!;
    const check = this.check[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= len) break;
      const r = l + 1;
      const child = r < len && this.at[r]! < this.at[l]! ? r : l;
      if (this.at[child]! >= at) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, at, hostname, check);
  }

  private move(from: number, to: number): void {
    this.set(to, this.at[from]!, this.hostname[from]!, this.check[from]!);
  }

  private set(i: number, at: number, hostname: string, check: string): void {
    this.at[i] = at;
    this.hostname[i] = hostname;
    this.check[i] = check;
  }
}

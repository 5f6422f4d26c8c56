/**
 * An array-backed FIFO with O(1) amortised push and drop-from-front: the consumed head is
 * compacted away only once it is at least half the array.
 */
export class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The first `n` items, left in the queue. */
  peek(n: number): T[] {
    return this.items.slice(this.head, this.head + n);
  }

  /** `n` items from position `offset` (0: the first), left in the queue. */
  peekAt(offset: number, n: number): T[] {
    return this.items.slice(this.head + offset, this.head + offset + n);
  }

  /** Removes the first `n` items. */
  drop(n: number): void {
    this.head = Math.min(this.head + n, this.items.length);
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= this.items.length / 2) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** What changed, named as Livestatus' WaitTrigger values (docs/livestatus.md §2.5). */
export type ChangeKind = "check" | "state" | "log" | "downtime" | "comment" | "command" | "program";

/** Lets a waiter (a Livestatus query with Wait headers) hear of changes instead of polling for them. */
export interface ChangeFeed {
  /** The listener gets the kinds of change of one turn of the event loop together; returns the unsubscribe function. */
  onChange(listener: (kinds: ReadonlySet<ChangeKind>) => void): () => void;
}

/**
 * The engine's side of the feed: notices are gathered and dispatched once per microtask, so
 * a batch of 20,000 results wakes each waiter once. Without listeners a notice costs a
 * size check, which keeps it off the hot path's bill.
 */
export class ChangeNotifier implements ChangeFeed {
  private readonly listeners = new Set<(kinds: ReadonlySet<ChangeKind>) => void>();
  private gathered: Set<ChangeKind> | undefined;

  onChange(listener: (kinds: ReadonlySet<ChangeKind>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(kind: ChangeKind): void {
    if (this.listeners.size === 0) return;
    if (this.gathered === undefined) {
      this.gathered = new Set();
      queueMicrotask(() => this.dispatch());
    }
    this.gathered.add(kind);
  }

  private dispatch(): void {
    const kinds = this.gathered;
    this.gathered = undefined;
    if (kinds === undefined) return;
    for (const listener of [...this.listeners]) listener(kinds);
  }
}

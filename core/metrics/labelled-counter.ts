/** A labelled counter's values: one per combination of label values seen. */
export interface LabelledData {
  readonly labelNames: readonly string[];
  readonly values: readonly { readonly labels: readonly string[]; readonly value: number }[];
}

/**
 * A counter per combination of label values (Livestatus requests by table and status code).
 * Meant for what happens per request or per rejection, not per result: a combination is
 * found by its joined values (one short string per add for two labels or more).
 */
export class LabelledCounter {
  private readonly byKey = new Map<string, { readonly labels: readonly string[]; value: number }>();

  constructor(readonly labelNames: readonly string[]) {}

  add(labels: readonly string[], n = 1): void {
    if (labels.length !== this.labelNames.length)
      throw new RangeError(`expected ${this.labelNames.length} label values (${this.labelNames.join(", ")}), got ${labels.length}`);
    const key = labels.length === 1 ? labels[0]! : labels.join("\u0000");
    const entry = this.byKey.get(key);
    if (entry === undefined) this.byKey.set(key, { labels: [...labels], value: n });
    else entry.value += n;
  }

  /** The count of one combination (0 when never seen). */
  get(labels: readonly string[]): number {
    return this.byKey.get(labels.length === 1 ? labels[0]! : labels.join("\u0000"))?.value ?? 0;
  }

  /** Every combination, summed. */
  total(): number {
    let n = 0;
    for (const e of this.byKey.values()) n += e.value;
    return n;
  }

  read(): LabelledData {
    return { labelNames: this.labelNames, values: [...this.byKey.values()].map((e) => ({ labels: e.labels, value: e.value })) };
  }
}

/**
 * Waiting between retries: exponential backoff with full jitter (a random delay from 0 to
 * min(cap, base × 2^attempt)), so that several Tantales retrying against one overloaded
 * cluster spread out instead of coming back together. Time and chance are injected: tests
 * run the retries without waiting.
 */
export interface Pacing {
  /** Resolves after `ms` milliseconds, or at once when `signal` aborts (tests: at once, noting the delay). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

export const realPacing: Pacing = Object.freeze({
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
  random: Math.random,
});

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

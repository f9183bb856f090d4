/**
 * When a request to a remote store is worth repeating, and how long to wait before it: the
 * one policy of the HTTP byte source and the S3 storage.
 */

/** HTTP statuses that mean "try again": timeouts, throttling, transient server errors. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** No single wait is longer than this, however many retries came before. */
const MAX_BACKOFF_MS = 20_000;

/**
 * The wait before the attempt after `attempt` (1-based): exponential (`firstMs`, doubled per
 * retry, capped) with "equal jitter" — half of it fixed, half random — so that many files
 * throttled at the same moment (S3's SlowDown) do not all come back at the same moment.
 */
export function backoffDelay(attempt: number, firstMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, firstMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Waits `backoffDelay(attempt, firstMs)`. */
export function backoff(attempt: number, firstMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, firstMs)));
}

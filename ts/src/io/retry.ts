/**
 * When a request to a remote store is worth repeating, and how long to wait before it: the
 * one policy of the HTTP byte source and the S3 storage.
 */

/** HTTP statuses that mean "try again": timeouts, throttling, transient server errors. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Waits before the attempt after `attempt` (1-based): `firstMs`, doubled per retry. */
export function backoff(attempt: number, firstMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, firstMs * 2 ** (attempt - 1)));
}

/** Types of latency-server.mjs (shared by the tests in TypeScript and the benchmarks). */

export interface LatencyServerOptions {
  /** Milliseconds every request waits before it is answered (default 0). */
  delayMs?: number;
  /** Bandwidth cap of the one shared link, bytes per second (default 0: none). */
  bytesPerSecond?: number;
}

export interface ObjectCounts {
  requests: number;
  heads: number;
  gets: number;
  /** Body bytes sent. */
  bytes: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  range?: string;
}

/**
 * `503`: answer 503 SlowDown (S3's throttling reply). `drop`: close the connection without an
 * answer. `drop-body`: send the headers and half the body, then close (a reset mid-transfer).
 */
export type FaultKind = "503" | "drop" | "drop-body";

export interface LatencyServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /**
   * Over all objects since the start or the last `reset`; `connections`: TCP connections
   * accepted; `peakInFlight`: most requests waiting for their answer at once.
   */
  totals: ObjectCounts & { connections: number; faults: number; peakInFlight: number };
  log: RequestRecord[];
  /** Counts for one object path (`/a/b.nc` or `a/b.nc`). */
  counts(path: string): ObjectCounts;
  objects(): Map<string, ObjectCounts>;
  reset(): void;
  setDelay(ms: number): void;
  setBandwidth(bytesPerSecond: number): void;
  /** Injects `kind` into the next `n` requests (to `path` only, if given). */
  failNext(n: number, kind?: FaultKind, path?: string): void;
  /** Injects `kind` into each request with this probability, from a seeded generator. */
  failRandomly(probability: number, seed: number, kind?: FaultKind): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export function startLatencyServer(root: string, options?: LatencyServerOptions): Promise<LatencyServer>;

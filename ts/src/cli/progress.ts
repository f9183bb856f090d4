/**
 * Progress of opening many files, on stderr: a bar redrawn in place on a terminal (files,
 * chunks, rate, ETA), plain lines every few seconds otherwise (logs, CI), nothing when quiet.
 */
import type { MfProgress } from "../dataset/open-mfdataset.js";

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  quiet?: boolean;
  /** Minimum time between redraws on a terminal (default 100 ms). */
  ttyIntervalMs?: number;
  /** Time between plain lines when not a terminal (default 5 s). */
  lineIntervalMs?: number;
}

const nf = new Intl.NumberFormat("en-US");

export function formatCount(n: number): string {
  return nf.format(n);
}

export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let u = 0;
  let x = n;
  while (x >= 1000 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  return `${u === 0 ? x : x.toFixed(x >= 100 ? 0 : 1)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 90) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return m < 90 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** `120/365 files · 43,800 chunks · 85 files/s · ETA 3 s` */
export function progressText(p: MfProgress): string {
  const rate = p.elapsedMs > 0 ? (p.filesDone * 1000) / p.elapsedMs : 0;
  const left = p.filesTotal - p.filesDone;
  const eta = rate > 0 && left > 0 ? ` · ETA ${formatDuration((left / rate) * 1000)}` : "";
  return `${formatCount(p.filesDone)}/${formatCount(p.filesTotal)} files · ${formatCount(p.chunks)} chunks · ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} files/s${eta}`;
}

export class ProgressReporter {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ProgressOptions = {},
  ) {}

  update(p: MfProgress): void {
    if (this.options.quiet) return;
    const now = p.elapsedMs;
    const tty = this.stream.isTTY === true;
    const interval = tty ? (this.options.ttyIntervalMs ?? 100) : (this.options.lineIntervalMs ?? 5000);
    const final = p.filesDone === p.filesTotal;
    if (now - this.last < interval && !(final && tty)) return;
    this.last = now;
    const text = progressText(p);
    if (!tty) {
      this.stream.write(`vzarr: ${text}\n`);
      return;
    }
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - text.length - 6));
    const filled = p.filesTotal === 0 ? width : Math.round((width * p.filesDone) / p.filesTotal);
    this.stream.write(`\r\x1b[2K[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${text}`);
    this.drawn = true;
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  done(): void {
    if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}

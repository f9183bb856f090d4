/**
 * Timing and memory of one measured operation in this process (one process per
 * measurement; the Node twin of bench/compare/py/measure.py). Setup runs before
 * `measure`, verification dumps after it, so neither counts.
 */
import { median } from "../stats.mjs";

export class Clock {
  /** @type {number | undefined} */ seconds;
  /** @type {number | undefined} */ peakRssMb;
  /** @type {number | undefined} */ rssStartMb;
  /** @type {Record<string, number>} */ parts = {};
  /** @type {number | undefined} */ warmSeconds;

  /**
   * @template T
   * @param {() => Promise<T> | T} fn
   * @returns {Promise<T>}
   */
  async measure(fn) {
    this.rssStartMb = process.memoryUsage().rss / 2 ** 20;
    const start = performance.now();
    const result = await fn();
    this.seconds = (performance.now() - start) / 1000;
    this.peakRssMb = process.resourceUsage().maxRSS / 1024;
    return result;
  }

  /**
   * A named sub-interval of the measured operation (e.g. index vs combine).
   * @template T
   * @param {string} name
   * @param {() => Promise<T> | T} fn
   * @returns {Promise<T>}
   */
  async part(name, fn) {
    const start = performance.now();
    const result = await fn();
    this.parts[name] = (performance.now() - start) / 1000;
    return result;
  }

  /**
   * The median of `n` more runs of the operation after the measured one, in this process:
   * what a long-running process pays per call once its code is compiled and optimised and
   * its memory mapped (the measured first call pays for both).
   * @param {() => Promise<unknown>} fn
   * @param {number} n
   */
  async repeat(fn, n) {
    const times = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await fn();
      times.push((performance.now() - start) / 1000);
    }
    this.warmSeconds = median(times);
  }

  result() {
    return {
      seconds: this.seconds,
      peak_rss_mb: this.peakRssMb,
      rss_start_mb: this.rssStartMb,
      parts: this.parts,
      ...(this.warmSeconds === undefined ? {} : { warm_seconds: this.warmSeconds }),
    };
  }
}

/** Number formatting shared by the report and the chart. */

/** Seconds with 3 significant digits (ms below 1 s). */
export function formatSeconds(/** @type {number} */ s) {
  if (!Number.isFinite(s)) return "–";
  if (s < 1) return `${(s * 1000).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

/** An axis tick at a power of ten: 1 ms, 10 ms, 100 ms, 1 s, 10 s. */
export function formatDecade(/** @type {number} */ s) {
  return s < 1 ? `${+(s * 1000).toPrecision(3)} ms` : `${+s.toPrecision(3)} s`;
}

/** A rate with an SI prefix: 3.2 M chunks/s. */
export function formatRate(/** @type {number} */ perSecond, /** @type {string} */ unit) {
  if (!Number.isFinite(perSecond)) return "–";
  const [v, p] = perSecond >= 1e6 ? [perSecond / 1e6, "M "] : perSecond >= 1e3 ? [perSecond / 1e3, "k "] : [perSecond, ""];
  return `${v.toPrecision(3)} ${p}${unit}/s`;
}

/** A ratio as "12.3×". */
export function formatRatio(/** @type {number} */ r) {
  if (!Number.isFinite(r)) return "–";
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

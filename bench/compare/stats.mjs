/** Small statistics over repeated runs. */

/** @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0
    ? NaN
    : s.length % 2
      ? /** @type {number} */ (s[m])
      : /** @type {number} */ (s[m - 1] + /** @type {number} */ (s[m])) / 2;
}

/** @param {number[]} xs */
export function spread(xs) {
  return { min: Math.min(...xs), max: Math.max(...xs) };
}

/** Chunk keys in C order of a chunk grid, generated with an odometer (no per-key division). */

/** Yields `prefix + "i.j.k"` (or `prefix + "0"` for 0-d) for every chunk in C order. */
export function* chunkKeys(grid: readonly number[], separator: "." | "/" = ".", prefix = ""): Generator<string> {
  if (grid.length === 0) {
    yield `${prefix}0`;
    return;
  }
  if (grid.some((d) => d === 0)) return;
  const idx = grid.map(() => 0);
  const last = grid.length - 1;
  for (;;) {
    const head = idx.slice(0, last).join(separator);
    const lead = head === "" ? prefix : `${prefix}${head}${separator}`;
    const n = grid[last] as number;
    for (let j = 0; j < n; j++) yield `${lead}${j}`;
    let a = last - 1;
    while (a >= 0) {
      idx[a] = (idx[a] as number) + 1;
      if ((idx[a] as number) < (grid[a] as number)) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

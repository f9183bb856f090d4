/**
 * Splitting an array's chunk grid into manifest-sized parts: runs of whole rows along
 * axis 0, so each part is one contiguous C-order range and parts' extents never overlap.
 */
import type { ManifestRef } from "./snapshot.js";

export interface GridPart {
  start: number;
  end: number;
  extents: [number, number][];
}

/** Parts of at most `maxRefs` chunks (at least one row each), with `origin` added to extents. */
export function splitGrid(grid: readonly number[], origin: readonly number[], maxRefs: number): GridPart[] {
  if (grid.length === 0) return [{ start: 0, end: 1, extents: [] }];
  if (grid.some((d) => d === 0)) return [];
  const inner = grid.slice(1).reduce((a, b) => a * b, 1);
  const rows = Math.max(1, Math.floor(maxRefs / inner));
  const g0 = grid[0] as number;
  const parts: GridPart[] = [];
  for (let r = 0; r < g0; r += rows) {
    const rEnd = Math.min(g0, r + rows);
    const extents: [number, number][] = grid.map((g, a) => {
      const o = origin[a] as number;
      return a === 0 ? [r + o, rEnd + o] : [o, o + g];
    });
    parts.push({ start: r * inner, end: rEnd * inner, extents });
  }
  return parts;
}

/** True when a coordinate falls in a manifest ref's extents (empty extents: 0-d arrays). */
export function inExtents(ref: ManifestRef, coords: readonly number[]): boolean {
  if (ref.extents.length === 0) return coords.length === 0;
  return ref.extents.every(([from, to], a) => {
    const c = coords[a] as number;
    return c >= from && c < to;
  });
}

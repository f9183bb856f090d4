/**
 * A deliberately naive model of a chunk manifest (nested JS values, one object per chunk)
 * used as the independent reference for the core's vectorised operations.
 */
export type ModelEntry = { path: string; offset: number; length: number } | null;

export interface Model {
  shape: number[];
  entries: ModelEntry[]; // C order
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function strides(shape: readonly number[]): number[] {
  const out = shape.map(() => 1);
  for (let a = shape.length - 2; a >= 0; a--) out[a] = (out[a + 1] as number) * (shape[a + 1] as number);
  return out;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const st = strides(shape);
  return shape.map((_, a) => Math.floor(i / (st[a] as number)) % (shape[a] as number));
}

function ravel(c: readonly number[], shape: readonly number[]): number {
  const st = strides(shape);
  return c.reduce((acc, x, a) => acc + x * (st[a] as number), 0);
}

export function concat(list: Model[], axis: number): Model {
  const shape = [...(list[0] as Model).shape];
  shape[axis] = list.reduce((s, m) => s + (m.shape[axis] as number), 0);
  const entries: ModelEntry[] = [];
  for (let i = 0; i < prod(shape); i++) {
    const c = unravel(i, shape);
    let k = c[axis] as number;
    let m = 0;
    while (k >= ((list[m] as Model).shape[axis] as number)) k -= (list[m++] as Model).shape[axis] as number;
    const src = list[m] as Model;
    const sc = [...c];
    sc[axis] = k;
    entries.push(src.entries[ravel(sc, src.shape)] ?? null);
  }
  return { shape, entries };
}

export function stack(list: Model[], axis: number): Model {
  return concat(
    list.map((m) => {
      const shape = [...m.shape];
      shape.splice(axis, 0, 1);
      return { shape, entries: m.entries };
    }),
    axis,
  );
}

export function broadcast(m: Model, target: number[]): Model {
  const lead = target.length - m.shape.length;
  const entries: ModelEntry[] = [];
  for (let i = 0; i < prod(target); i++) {
    const c = unravel(i, target)
      .slice(lead)
      .map((x, a) => ((m.shape[a] as number) === 1 ? 0 : x));
    entries.push(m.entries[ravel(c, m.shape)] ?? null);
  }
  return { shape: target, entries };
}

export function slice(m: Model, ranges: [number, number][]): Model {
  const shape = ranges.map(([a, b]) => b - a);
  const entries: ModelEntry[] = [];
  for (let i = 0; i < prod(shape); i++) {
    const c = unravel(i, shape).map((x, a) => x + (ranges[a] as [number, number])[0]);
    entries.push(m.entries[ravel(c, m.shape)] ?? null);
  }
  return { shape, entries };
}

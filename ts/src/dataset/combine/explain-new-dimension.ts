/**
 * `--concat-dim tim` over files whose dimension is `time`: xarray stacks them along a new
 * dimension `tim`, and the failure it reports is about `time`'s lengths — which reads like a
 * bug. When the concat dimension is in no input, the error says that the files were being
 * stacked along a new dimension, why that failed, the inputs' dimensions, and the likely flag.
 */
import { makeError, VzarrError } from "../../errors/vzarr-error.js";
import type { VirtualDataset } from "../virtual-dataset.js";

/** Dimensions of a dataset tree with the lengths they have across the inputs. */
function inputDims(datasets: readonly VirtualDataset[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const visit = (ds: VirtualDataset) => {
    for (const [d, n] of Object.entries(ds.dims)) {
      if (!out.has(d)) out.set(d, new Set());
      out.get(d)?.add(n);
    }
    for (const g of ds.groups.values()) visit(g);
  };
  for (const ds of datasets) visit(ds);
  return out;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] as number;
      row[j] = Math.min(here + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] as number;
}

/** Runs `combine`; a failure to stack along a dimension no input has is explained. */
export function explainNewDimension<T>(datasets: readonly VirtualDataset[], concatDim: string, combine: () => T): T {
  const dims = inputDims(datasets);
  if (dims.has(concatDim)) return combine();
  try {
    return combine();
  } catch (e) {
    if (!(e instanceof VzarrError)) throw e;
    const listed = [...dims].map(([d, ns]) => `${d} (${[...ns].join(" or ")})`).join(", ");
    const near = [...dims.keys()].filter((d) => distance(d, concatDim) <= 2);
    const hint = near.length > 0 ? ` Did you mean --concat-dim ${near[0]}?` : "";
    throw makeError(
      e.kind,
      `no input has a dimension ${concatDim}, so the ${datasets.length} files were being stacked along a new dimension ${concatDim}; ` +
        `that fails because ${e.reason}. The inputs' dimensions: ${listed || "none"}.${hint}`,
      { ...(e.variable === undefined ? {} : { variable: e.variable }), ...(e.file === undefined ? {} : { file: e.file }) },
    );
  }
}

/**
 * A dataset as the plain object `vzarr info --json` prints (nested per group), and as text.
 */
import { ManifestArray } from "../manifest/manifest-array.js";
import { gridShape } from "../metadata/array-metadata.js";
import type { VirtualDataset } from "./virtual-dataset.js";
import type { VirtualVariable } from "./virtual-variable.js";

export interface VariableInfo {
  dims: string[];
  shape: number[];
  dtype: string;
  chunks: number[] | (number | number[])[];
  codecs: unknown[];
  fill_value: unknown;
  nchunks: number;
  /** Chunks that have no bytes (read as the fill value). */
  missing: number;
  /** Bytes referenced in files (0 for loaded variables). */
  referenced_bytes: number;
  virtual: boolean;
  attrs: Record<string, unknown>;
}

export interface GroupInfo {
  attrs: Record<string, unknown>;
  dims: Record<string, number>;
  variables: Record<string, VariableInfo>;
  groups: Record<string, GroupInfo>;
  /** Variables left out, with why (only when there are some). */
  skipped?: Record<string, { kind: string; message: string }>;
}

export function variableInfo(v: VirtualVariable): VariableInfo {
  const m = v.metadata;
  const grid = m.chunkGrid;
  const chunks = grid.kind === "regular" ? grid.chunkShape : grid.chunkShapes;
  const nchunks = gridShape(m.shape, grid).reduce((a, b) => a * b, 1);
  const stats = v.data instanceof ManifestArray ? v.data.manifest.stats() : undefined;
  return {
    dims: [...v.dims],
    shape: v.shape,
    dtype: v.dtype,
    chunks,
    codecs: m.codecs,
    fill_value: m.fillValue,
    nchunks,
    missing: stats === undefined ? 0 : nchunks - stats.present,
    referenced_bytes: stats?.referencedBytes ?? 0,
    virtual: v.virtual,
    attrs: { ...v.attrs },
  };
}

export function groupInfo(ds: VirtualDataset): GroupInfo {
  return {
    attrs: { ...ds.attrs },
    dims: ds.dims,
    variables: Object.fromEntries([...ds.variables].map(([n, v]) => [n, variableInfo(v)])),
    groups: Object.fromEntries([...ds.groups].map(([n, g]) => [n, groupInfo(g)])),
    ...(ds.skipped.size > 0 ? { skipped: Object.fromEntries(ds.skipped) } : {}),
  };
}

export function datasetInfo(ds: VirtualDataset): GroupInfo & { format?: string } {
  return { ...(ds.format === undefined ? {} : { format: ds.format }), ...groupInfo(ds) };
}

function codecSummary(codecs: readonly { name: string; configuration?: Record<string, unknown> }[]): string {
  const names = codecs.filter((c) => c.name !== "bytes").map((c) => c.name.replace(/^numcodecs\./, "").replace(/^vzarr\./, ""));
  return names.length === 0 ? "uncompressed" : names.join("+");
}

/** Human-readable summary, one line per variable, indented per group. */
export function describeText(ds: VirtualDataset, indent = ""): string {
  const lines: string[] = [];
  const dims = Object.entries(ds.dims);
  if (dims.length > 0) lines.push(`${indent}dimensions: ${dims.map(([n, l]) => `${n} = ${l}`).join(", ")}`);
  if (ds.variables.size > 0) lines.push(`${indent}variables:`);
  for (const [name, v] of ds.variables) {
    const info = variableInfo(v);
    const where = v.virtual
      ? `${info.nchunks} chunk${info.nchunks === 1 ? "" : "s"}${info.missing > 0 ? ` (${info.missing} missing)` : ""}, ${codecSummary(v.metadata.codecs)}`
      : "loaded";
    const coord = ds.coordNames.has(name) ? " (coordinate)" : "";
    lines.push(`${indent}  ${name}(${v.dims.join(", ")}) ${v.dtype} chunks ${JSON.stringify(info.chunks)}: ${where}${coord}`);
  }
  for (const [name, why] of ds.skipped) lines.push(`${indent}  ${name}: left out (${why.kind}: ${why.message})`);
  const attrs = Object.keys(ds.attrs);
  if (attrs.length > 0) lines.push(`${indent}attributes: ${attrs.join(", ")}`);
  for (const [name, g] of ds.groups) {
    lines.push(`${indent}group ${name}:`);
    lines.push(describeText(g, `${indent}  `));
  }
  return lines.join("\n");
}

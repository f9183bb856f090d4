/**
 * A dataset as text, laid out like xarray's repr: dimensions, coordinates (`*` marks
 * dimension coordinates), data variables with dims, dtype and chunking, attributes, and
 * child groups, so `console.log(ds)` in Node shows what a file holds at a glance.
 */
import type { ChunkGrid } from "../metadata/array-metadata.js";
import type { VirtualDataset } from "./virtual-dataset.js";
import type { VirtualVariable } from "./virtual-variable.js";

/** Attributes listed by value (the rest are counted), and the width a value is cut to. */
const MAX_ATTRS = 10;
const MAX_VALUE_CHARS = 60;

export function describeDataset(ds: VirtualDataset, indent = ""): string {
  const lines: string[] = [];
  const dims = Object.entries(ds.dims);
  lines.push(`${indent}Dimensions:  (${dims.map(([d, n]) => `${d}: ${n}`).join(", ")})`);
  const names = [...ds.variables.keys()];
  const width = Math.max(8, ...names.map((n) => n.length)) + 1;
  const section = (title: string, vars: Map<string, VirtualVariable>, marks: boolean) => {
    lines.push(`${indent}${title}:${vars.size === 0 ? "    *empty*" : ""}`);
    for (const [name, v] of vars) {
      const mark = marks && v.dims.length === 1 && v.dims[0] === name ? "*" : " ";
      lines.push(`${indent}  ${mark} ${name.padEnd(width)}${describeVariable(v)}`);
    }
  };
  section("Coordinates", ds.coords, true);
  section("Data variables", ds.dataVars, false);
  if (ds.skipped.size > 0) lines.push(`${indent}Left out:    ${[...ds.skipped.keys()].join(", ")} (see .skipped)`);
  const attrs = Object.entries(ds.attrs);
  lines.push(`${indent}Attributes: (${attrs.length})`);
  for (const [k, value] of attrs.slice(0, MAX_ATTRS)) lines.push(`${indent}    ${k}: ${shorten(attrText(value))}`);
  if (attrs.length > MAX_ATTRS) lines.push(`${indent}    … ${attrs.length - MAX_ATTRS} more`);
  if (ds.groups.size > 0) {
    lines.push(`${indent}Groups: (${ds.groups.size})`);
    for (const [name, g] of ds.groups) {
      lines.push(`${indent}  ${name}/`);
      lines.push(describeDataset(g, `${indent}    `));
    }
  }
  return lines.join("\n");
}

/** `(time, lat) <f4 chunks=(1, 3) virtual`. */
function describeVariable(v: VirtualVariable): string {
  return `(${v.dims.join(", ")}) ${v.dtype} chunks=${chunkText(v.metadata.chunkGrid)} ${v.virtual ? "virtual" : "loaded"}`;
}

function chunkText(grid: ChunkGrid): string {
  if (grid.kind === "regular") return tuple(grid.chunkShape.map(String));
  // Rectilinear axes list their chunk lengths; long lists are cut.
  const axis = (a: number | number[]) =>
    typeof a === "number" ? String(a) : a.length <= 3 ? `[${a.join(", ")}]` : `[${a.slice(0, 3).join(", ")}, … ${a.length} chunks]`;
  return tuple(grid.chunkShapes.map(axis));
}

/** Python's tuple notation, as xarray prints shapes: `(512,)` for one axis. */
function tuple(items: string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

function attrText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, " ");
  return one.length <= MAX_VALUE_CHARS ? one : `${one.slice(0, MAX_VALUE_CHARS - 1)}…`;
}

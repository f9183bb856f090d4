/**
 * Writes a DMR++ sidecar for a dataset scanned from one HDF5 / netCDF-4 file, so data
 * providers can publish sidecars: groups, dimensions, variables with their DAP types,
 * attributes, and per variable the chunk map (`dmrpp:chunks` with the filters in the order
 * they were applied, `deflateLevel`, `fillValue`, `byteOrder`, `dmrpp:chunkDimensionSizes`,
 * one `dmrpp:chunk` per stored chunk), as OPeNDAP documents the format. An array held in
 * one uncompressed chunk is written as Hyrax writes contiguous storage (one chunk, no
 * position); an array whose one chunk is inlined (HDF5 compact storage) as
 * `dmrpp:compact`. Variables DMR++ cannot describe (codecs other than shuffle / deflate /
 * fletcher32, variable-length strings, values held in memory) are left out and reported.
 */

import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { makeError } from "../../errors/vzarr-error.js";
import { ManifestArray } from "../../manifest/manifest-array.js";
import type { ArrayMetadata } from "../../metadata/array-metadata.js";

export interface ToDmrppOptions {
  /** The `dmrpp:href` written on the Dataset: where the data file is (default: its URL). */
  href?: string;
  /** The Dataset's `name` (default: the data file's name). */
  name?: string;
}

export interface DmrppDocument {
  text: string;
  /** Variables left out (path → reason). */
  skipped: Map<string, string>;
}

const DAP_TYPES: Record<string, string> = {
  i1: "Int8",
  u1: "UInt8",
  i2: "Int16",
  u2: "UInt16",
  i4: "Int32",
  u4: "UInt32",
  i8: "Int64",
  u8: "UInt64",
  f4: "Float32",
  f8: "Float64",
};

const MISSING = 0xffffffff;

/** XML 1.0 cannot hold C0 control characters other than tab, LF and CR, even as references. */
function isXmlChar(code: number): boolean {
  return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function escapeXml(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    if (!isXmlChar(code)) continue;
    out += ch === "&" || ch === "<" || ch === ">" || ch === '"' || ch === "'" ? `&#${code};` : ch;
  }
  return out;
}

const attr = (name: string, value: string | number) => ` ${name}="${escapeXml(String(value))}"`;

/** A number as its shortest exact text (Hyrax writes C's %g forms; these parse the same). */
function numberText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** A JSON attribute value's DAP type and texts; undefined for values DAP cannot hold. */
function attributeValues(value: unknown): { type: string; values: string[] } | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (items.every((v) => typeof v === "string")) return { type: "String", values: items as string[] };
  if (items.every((v) => typeof v === "bigint")) return { type: "Int64", values: items.map(String) };
  const special = (v: unknown) => v === "NaN" || v === "Infinity" || v === "-Infinity";
  if (items.length > 0 && items.every((v) => typeof v === "number" || special(v))) {
    const nums = items.map((v) => (typeof v === "number" ? v : Number(v)));
    if (nums.every((v) => Number.isSafeInteger(v))) return { type: "Int64", values: nums.map(String) };
    return { type: "Float64", values: nums.map(numberText) };
  }
  return undefined;
}

function attributesXml(attrs: Readonly<Record<string, unknown>>, indent: string, out: string[]): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      out.push(`${indent}<Attribute${attr("name", name)} type="Container">`);
      attributesXml(value as Record<string, unknown>, `${indent}    `, out);
      out.push(`${indent}</Attribute>`);
      continue;
    }
    const typed = attributeValues(value);
    if (typed === undefined) continue;
    out.push(`${indent}<Attribute${attr("name", name)}${attr("type", typed.type)}>`);
    for (const v of typed.values) out.push(`${indent}    <Value>${escapeXml(v)}</Value>`);
    out.push(`${indent}</Attribute>`);
  }
}

/** The DMR++ filter names of a variable's codecs after `bytes`, or why there are none. */
function filtersOf(m: ArrayMetadata): { names: string[]; level?: number } | string {
  const names: string[] = [];
  let level: number | undefined;
  for (const c of m.codecs) {
    const { name, configuration } = c as { name: string; configuration?: Record<string, unknown> };
    if (name === "bytes") continue;
    if (name === "numcodecs.shuffle" || name === "shuffle") names.push("shuffle");
    else if (name === "numcodecs.zlib" || name === "zlib") {
      names.push("deflate");
      level = typeof configuration?.level === "number" ? configuration.level : undefined;
    } else if (name === "numcodecs.fletcher32" || name === "fletcher32") names.push("fletcher32");
    else return `the codec ${name} has no DMR++ form (shuffle, deflate and fletcher32 only)`;
  }
  return { names, level };
}

function fillText(m: ArrayMetadata): string | undefined {
  const f = m.fillValue as unknown;
  if (f === null || f === undefined) return undefined;
  if (f === "NaN") return "nan";
  if (f === "Infinity") return "inf";
  if (f === "-Infinity") return "-inf";
  if (typeof f === "number" || typeof f === "bigint") return String(f);
  if (typeof f === "string") return f;
  return undefined;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

class Writer {
  readonly out: string[] = [];
  readonly skipped = new Map<string, string>();
  /** Dimension name → [fully qualified name, size] for the groups being written. */
  readonly scopes: Map<string, [string, number]>[] = [];

  constructor(readonly href: string) {}

  dimRef(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const d = this.scopes[i]?.get(name);
      if (d !== undefined) return d[0];
    }
    return undefined;
  }

  group(g: VirtualDataset, path: string, indent: string): void {
    // Dimensions this group's variables use that no enclosing group declared with that size.
    const scope = new Map<string, [string, number]>();
    const sizes = new Map<string, number>([...g.declaredDims]);
    for (const v of g.variables.values()) {
      v.dims.forEach((d, i) => {
        sizes.set(d, v.shape[i] as number);
      });
    }
    for (const [name, size] of sizes) {
      const outer = this.scopes.findLast((s) => s.has(name))?.get(name);
      if (outer !== undefined && outer[1] === size) continue;
      scope.set(name, [`${path}/${name}`, size]);
      this.out.push(`${indent}<Dimension${attr("name", name)}${attr("size", size)}/>`);
    }
    this.scopes.push(scope);
    for (const [name, v] of g.variables) {
      const why = this.variable(name, v.dims, v.attrs, v.data, indent);
      if (why !== undefined) this.skipped.set(`${path}/${name}`.slice(1), why);
    }
    attributesXml(g.attrs, indent, this.out);
    for (const [name, sub] of g.groups) {
      this.out.push(`${indent}<Group${attr("name", name)}>`);
      this.group(sub, `${path}/${name}`, `${indent}    `);
      this.out.push(`${indent}</Group>`);
    }
    this.scopes.pop();
  }

  /** Writes one variable; the reason when it cannot be written. */
  variable(
    name: string,
    dims: readonly string[],
    attrs: Readonly<Record<string, unknown>>,
    data: unknown,
    indent: string,
  ): string | undefined {
    if (!(data instanceof ManifestArray)) return "its values are held in memory, not referenced (open with loadableVariables: [])";
    const m = data.metadata;
    const kind = m.dtype.slice(1);
    const fixedString = /^S(\d+)$/.exec(kind);
    const type = fixedString !== null ? "String" : DAP_TYPES[kind];
    if (type === undefined) return `dtype ${m.dtype} has no DAP type`;
    if (m.chunkGrid.kind !== "regular") return "its chunk grid is not regular";
    const filters = filtersOf(m);
    if (typeof filters === "string") return filters;
    const chunkShape = m.chunkGrid.chunkShape;
    const columns = data.manifest.columns();
    const inlined = data.manifest.inlined();
    const whole = chunkShape.every((c, i) => c === m.shape[i]);
    if (inlined.size > 0 && !(whole && inlined.size === 1 && filters.names.length === 0))
      return "some chunks are held inline, not referenced";
    const lines: string[] = [];
    const inner = `${indent}    `;
    lines.push(`${indent}<${type}${attr("name", name)}>`);
    dims.forEach((d, i) => {
      const ref = this.dimRef(d);
      lines.push(ref === undefined ? `${inner}<Dim${attr("size", m.shape[i] as number)}/>` : `${inner}<Dim${attr("name", ref)}/>`);
    });
    attributesXml(attrs, inner, lines);
    if (fixedString !== null)
      lines.push(`${inner}<dmrpp:FixedLengthStringArray${attr("string_length", fixedString[1] as string)} pad="null_pad"/>`);
    const order = m.dtype[0] === ">" ? "BE" : "LE";
    const fill = fillText(m);
    let chunksAttrs = "";
    if (filters.names.length > 0) chunksAttrs += attr("compressionType", filters.names.join(" "));
    if (filters.level !== undefined) chunksAttrs += attr("deflateLevel", filters.level);
    if (fill !== undefined) chunksAttrs += attr("fillValue", fill);
    chunksAttrs += attr("byteOrder", order);
    if (inlined.size === 1) {
      lines.push(`${inner}<dmrpp:chunks${chunksAttrs}/>`);
      lines.push(`${inner}<dmrpp:compact>${base64(inlined.values().next().value as Uint8Array)}</dmrpp:compact>`);
    } else {
      lines.push(`${inner}<dmrpp:chunks${chunksAttrs}>`);
      const contiguous = whole && filters.names.length === 0 && columns.ids.length === 1;
      if (!contiguous && m.shape.length > 0)
        lines.push(`${inner}    <dmrpp:chunkDimensionSizes>${chunkShape.join(" ")}</dmrpp:chunkDimensionSizes>`);
      const grid = m.shape.map((s, i) => Math.ceil(s / (chunkShape[i] as number)));
      const hrefOf = columns.table.map((p) => (p === this.href ? "" : attr("href", p)));
      const coords = new Array<number>(grid.length).fill(0);
      for (let i = 0; i < columns.ids.length; i++) {
        const id = columns.ids[i] as number;
        if (id !== MISSING) {
          const position = contiguous ? "" : ` chunkPositionInArray="[${coords.map((c, a) => c * (chunkShape[a] as number)).join(",")}]"`;
          lines.push(
            `${inner}    <dmrpp:chunk offset="${columns.offsets[i]}" nBytes="${columns.lengths[i]}"${position}${hrefOf[id] ?? ""}/>`,
          );
        }
        for (let a = grid.length - 1; a >= 0; a--) {
          coords[a] = (coords[a] as number) + 1;
          if ((coords[a] as number) < (grid[a] as number)) break;
          coords[a] = 0;
        }
      }
      lines.push(`${inner}</dmrpp:chunks>`);
    }
    lines.push(`${indent}</${type}>`);
    this.out.push(...lines);
    return undefined;
  }
}

/** The single file a dataset's chunks refer to (a DMR++ describes one file). */
export function dataFileOf(ds: VirtualDataset): string {
  const paths = new Set<string>();
  for (const [, v] of ds.walkVariables()) if (v.data instanceof ManifestArray) for (const p of v.data.manifest.paths()) paths.add(p);
  if (paths.size !== 1) {
    throw makeError(
      "InvalidArgument",
      `a DMR++ describes one data file; the dataset refers to ${paths.size === 0 ? "none" : [...paths].join(", ")}`,
    );
  }
  return [...paths][0] as string;
}

/** The DMR++ document of `ds` (a dataset opened from one HDF5 / netCDF-4 file). */
export function toDmrpp(ds: VirtualDataset, options: ToDmrppOptions = {}): DmrppDocument {
  const dataFile = dataFileOf(ds);
  const writer = new Writer(dataFile);
  const name = options.name ?? decodeURIComponent(dataFile.split("/").pop() ?? dataFile);
  writer.out.push('<?xml version="1.0" encoding="UTF-8"?>');
  writer.out.push(
    `<Dataset xmlns="http://xml.opendap.org/ns/DAP/4.0#" xmlns:dmrpp="http://xml.opendap.org/dap/dmrpp/1.0.0#" dapVersion="4.0" dmrVersion="1.0"${attr("name", name)}${attr("dmrpp:href", options.href ?? dataFile)} dmrpp:version="3.21.1">`,
  );
  writer.group(ds, "", "    ");
  writer.out.push('    <Attribute name="build_dmrpp_metadata" type="Container">');
  writer.out.push('        <Attribute name="build_dmrpp" type="String">');
  writer.out.push("            <Value>vzarr</Value>");
  writer.out.push("        </Attribute>");
  writer.out.push("    </Attribute>");
  writer.out.push("</Dataset>");
  return { text: `${writer.out.join("\n")}\n`, skipped: writer.skipped };
}

/**
 * `VirtualDataset`: xarray-like variables, dimensions, coordinates and attributes, plus
 * child groups (netCDF4/HDF5 group trees). Virtual variables hold manifests owned by the
 * core: free a dataset you no longer need (`free()` / `using`).
 */

import { IncompatibleArraysError, makeError, NotFoundError } from "../errors/vzarr-error.js";
import type { SourceIdentity } from "../io/byte-source.js";
import { describeDataset } from "./describe-dataset.js";
import { rename } from "./rename.js";
import { type PathRename, renamePaths } from "./rename-paths.js";
import { type DimSelection, dropVariables, isel } from "./select.js";
import type { VirtualVariable } from "./virtual-variable.js";

/** A variable the file holds but the scanner could not represent, and why (a tagged error). */
export interface SkippedVariable {
  kind: string;
  message: string;
}

export class VirtualDataset implements Disposable {
  readonly variables: ReadonlyMap<string, VirtualVariable>;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly groups: ReadonlyMap<string, VirtualDataset>;
  /** Names of variables that are coordinates (dimension coordinates and CF `coordinates`). */
  readonly coordNames: ReadonlySet<string>;
  /** Dimensions declared without a variable of their own (netCDF dims), with their lengths. */
  readonly declaredDims: ReadonlyMap<string, number>;
  /** Format of the file this came from (`netcdf4`, `grib`, …), when it came from one. */
  readonly format: string | undefined;
  /**
   * What each referenced file looked like when it was indexed (size, ETag, modification
   * time): reads verify it, Icechunk records it as the chunk checksum.
   */
  readonly sources: ReadonlyMap<string, SourceIdentity>;
  /** Variables of this group left out because they cannot be represented (e.g. ragged arrays). */
  readonly skipped: ReadonlyMap<string, SkippedVariable>;
  #dims: Record<string, number> | undefined;

  constructor(init: {
    variables?: Iterable<[string, VirtualVariable]>;
    attrs?: Record<string, unknown>;
    groups?: Iterable<[string, VirtualDataset]>;
    coordNames?: Iterable<string>;
    declaredDims?: Iterable<[string, number]>;
    format?: string;
    sources?: Iterable<[string, SourceIdentity]>;
    skipped?: Iterable<[string, SkippedVariable]>;
  }) {
    this.format = init.format;
    this.skipped = new Map(init.skipped ?? []);
    this.sources = new Map(init.sources ?? []);
    this.variables = new Map(init.variables ?? []);
    this.attrs = { ...(init.attrs ?? {}) };
    this.groups = new Map(init.groups ?? []);
    this.declaredDims = new Map(init.declaredDims ?? []);
    this.coordNames = new Set(init.coordNames ?? defaultCoordNames(this.variables));
    void this.dims; // validate now: inconsistent dimension lengths are an error at construction
  }

  /** Dimension lengths, checked for consistency across variables (computed once: datasets are immutable). */
  get dims(): Record<string, number> {
    this.#dims ??= this.computeDims();
    return { ...this.#dims };
  }

  private computeDims(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.declaredDims);
    for (const [name, v] of this.variables) {
      const shape = v.metadata.shape;
      v.dims.forEach((d, a) => {
        const len = shape[a] as number;
        const seen = out[d];
        if (seen !== undefined && seen !== len && !this.declaredDims.has(d)) {
          throw new IncompatibleArraysError(`dimension ${d} has length ${seen} elsewhere but ${len} in variable ${name}`);
        }
        if (seen === undefined || !this.declaredDims.has(d)) out[d] = len;
      });
    }
    return out;
  }

  get coords(): Map<string, VirtualVariable> {
    return new Map([...this.variables].filter(([n]) => this.coordNames.has(n)));
  }

  get dataVars(): Map<string, VirtualVariable> {
    return new Map([...this.variables].filter(([n]) => !this.coordNames.has(n)));
  }

  /**
   * The variable `name` of this group. `within` names it in errors when this is a subgroup:
   * its full path and the file of the dataset it was reached from.
   */
  variable(name: string, within?: { path: string; file?: string }): VirtualVariable {
    const v = this.variables.get(name);
    const skipped = this.skipped.get(name);
    if (v === undefined && skipped !== undefined) {
      // The file has it: say why it is missing rather than that it does not exist.
      const path = within?.path ?? name;
      const file = within?.file ?? (this.sources.size === 1 ? [...this.sources.keys()][0] : undefined);
      throw makeError(skipped.kind, `variable ${path} was left out: ${skipped.message}`, {
        variable: path,
        ...(file === undefined ? {} : { file }),
      });
    }
    if (v === undefined) {
      // The name may be a variable of a subgroup (GRIB's `isobaricInhPa/instant/t`): say where.
      const below = [...this.walkVariables()].map(([path]) => path).filter((path) => path.endsWith(`/${name}`));
      const suggestion =
        below.length === 0
          ? ""
          : `; in groups: ${below.join(", ")} (use the full path, or --group ${below[0]?.slice(0, -name.length - 1)})`;
      throw new NotFoundError(`no variable ${name}; have ${[...this.variables.keys()].join(", ") || "none"}${suggestion}`);
    }
    return v;
  }

  /** The dataset of a group path (`"forecast/member_01"`; `""` is this one). */
  group(path: string): VirtualDataset {
    let ds: VirtualDataset = this;
    for (const part of path.split("/").filter((p) => p !== "")) {
      const next = ds.groups.get(part);
      if (next === undefined) throw new NotFoundError(`no group ${path}`);
      ds = next;
    }
    return ds;
  }

  /** Every variable of this group and its descendants, by full path (`grp/var`). */
  *walkVariables(prefix = ""): Generator<[string, VirtualVariable, VirtualDataset]> {
    for (const [name, v] of this.variables) yield [prefix + name, v, this];
    for (const [name, g] of this.groups) yield* g.walkVariables(`${prefix}${name}/`);
  }

  /** Every variable left out by the parser, in this group and its descendants, by full path. */
  *walkSkipped(prefix = ""): Generator<[string, SkippedVariable]> {
    for (const [name, s] of this.skipped) yield [prefix + name, s];
    for (const [name, g] of this.groups) yield* g.walkSkipped(`${prefix}${name}/`);
  }

  /** A copy with some fields replaced (variables are shared, not copied). */
  with(changes: {
    variables?: Iterable<[string, VirtualVariable]>;
    attrs?: Record<string, unknown>;
    groups?: Iterable<[string, VirtualDataset]>;
    coordNames?: Iterable<string>;
    declaredDims?: Iterable<[string, number]>;
    sources?: Iterable<[string, SourceIdentity]>;
    skipped?: Iterable<[string, SkippedVariable]>;
  }): VirtualDataset {
    return new VirtualDataset({
      variables: changes.variables ?? this.variables,
      attrs: changes.attrs ?? { ...this.attrs },
      groups: changes.groups ?? this.groups,
      coordNames: changes.coordNames ?? this.coordNames,
      declaredDims: changes.declaredDims ?? this.declaredDims,
      format: this.format,
      sources: changes.sources ?? this.sources,
      skipped: changes.skipped ?? this.skipped,
    });
  }

  /**
   * This dataset with every chunk reference's file location rewritten (a function or a
   * mapping; paths not in a mapping stay). The result owns new manifests: free both.
   */
  renamePaths(rename: PathRename): VirtualDataset {
    return renamePaths(this, rename);
  }

  /** This dataset without the named variables (full paths reach into groups). */
  dropVariables(names: readonly string[]): VirtualDataset {
    return dropVariables(this, names);
  }

  /** Variables and dimensions renamed (`{ old: "new" }`), in every group. */
  rename(mapping: Readonly<Record<string, string>>): VirtualDataset {
    return rename(this, mapping);
  }

  /**
   * Index ranges per dimension (`{ time: [0, 31] }`) whose ends fall on chunk boundaries;
   * virtual variables are cut without reading, loaded ones sliced in memory.
   */
  isel(selection: DimSelection): VirtualDataset {
    return isel(this, selection);
  }

  /**
   * Writes kerchunk references: a JSON file (`format: "json"`, default) or a Parquet
   * directory (`format: "parquet"`). Node only.
   */
  async toKerchunk(path: string, options: import("../formats/kerchunk/to-kerchunk.js").ToKerchunkOptions = {}): Promise<void> {
    const { writeKerchunk } = await import("../formats/kerchunk/to-kerchunk.js");
    await writeKerchunk(this, path, options);
  }

  /**
   * Commits this dataset to an Icechunk repository and returns the new snapshot id. `mode`
   * as xarray's `to_zarr`: `"w-"` (default) creates it and refuses an existing one, `"w"`
   * commits a replacement (earlier snapshots stay), `"a"` adds variables or, with
   * `appendDim` (which makes `"a"` the default), appends along a dimension. `group` writes
   * the dataset under that group path of the repository.
   */
  async toIcechunk(repoPath: string, options: import("../formats/icechunk/write-dataset.js").WriteIcechunkOptions = {}): Promise<string> {
    const { writeIcechunk } = await import("../formats/icechunk/write-dataset.js");
    return writeIcechunk(this, repoPath, { ...options, mode: options.mode ?? (options.appendDim === undefined ? "w-" : "a") });
  }

  /** Frees every manifest of this dataset and its groups. */
  free(): void {
    for (const v of this.variables.values()) v.free();
    for (const g of this.groups.values()) g.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }

  /** Dimensions, coordinates, data variables (dims, dtype, chunking), attributes and groups, as xarray's repr. */
  toString(): string {
    const from = this.format === undefined ? "" : ` (${this.format})`;
    return `<vzarr.VirtualDataset>${from}\n${describeDataset(this)}`;
  }

  /** What Node's `console.log` / `util.inspect` show: the same text as `toString()`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Dimension coordinates (1-D, named like their dimension) plus CF `coordinates` attributes. */
function defaultCoordNames(variables: ReadonlyMap<string, VirtualVariable>): Set<string> {
  const out = new Set<string>();
  for (const [name, v] of variables) {
    if (v.dims.length === 1 && v.dims[0] === name) out.add(name);
    const listed = v.attrs.coordinates;
    if (typeof listed === "string") {
      for (const c of listed.split(/\s+/)) if (variables.has(c)) out.add(c);
    }
  }
  return out;
}

/**
 * `rename`: new names for variables and dimensions (one mapping for both, as xarray's
 * `Dataset.rename`), applied in every group. CF `coordinates` attributes follow, so renamed
 * auxiliary coordinates stay attached.
 */
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import type { VirtualDataset } from "./virtual-dataset.js";
import type { VirtualVariable } from "./virtual-variable.js";

export function rename(ds: VirtualDataset, mapping: Readonly<Record<string, string>>): VirtualDataset {
  for (const [from, to] of Object.entries(mapping)) {
    if (to === "" || to.includes("/")) throw new InvalidArgumentError(`cannot rename ${from} to ${JSON.stringify(to)}: not a plain name`);
  }
  const known = new Set<string>();
  collectNames(ds, known);
  const unknown = Object.keys(mapping).filter((n) => !known.has(n));
  if (unknown.length > 0) throw new InvalidArgumentError(`rename: no variable or dimension ${unknown.join(", ")}`);
  return renameGroup(ds, mapping);
}

function collectNames(ds: VirtualDataset, out: Set<string>): void {
  for (const [name, v] of ds.variables) {
    out.add(name);
    for (const d of v.dims) out.add(d);
  }
  for (const d of ds.declaredDims.keys()) out.add(d);
  for (const g of ds.groups.values()) collectNames(g, out);
}

function renameGroup(ds: VirtualDataset, mapping: Readonly<Record<string, string>>): VirtualDataset {
  const map = (n: string) => mapping[n] ?? n;
  const variables: [string, VirtualVariable][] = [];
  const seen = new Set<string>();
  for (const [name, v] of ds.variables) {
    const to = map(name);
    if (seen.has(to)) throw new InvalidArgumentError(`rename would give two variables the name ${to}`);
    seen.add(to);
    let out = v.withDims(v.dims.map(map));
    const coords = v.attrs.coordinates;
    if (typeof coords === "string") {
      out = out.withAttrs({ ...v.attrs, coordinates: coords.split(/\s+/).filter(Boolean).map(map).join(" ") });
    }
    variables.push([to, out]);
  }
  return ds.with({
    variables,
    coordNames: [...ds.coordNames].map(map),
    declaredDims: [...ds.declaredDims].map(([d, len]) => [map(d), len] as [string, number]),
    groups: [...ds.groups].map(([name, g]) => [name, renameGroup(g, mapping)] as [string, VirtualDataset]),
  });
}

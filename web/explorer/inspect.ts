/**
 * The explorer's read-only views: the tree of opened datasets (groups and variables) and the
 * details of a group or a variable (dims, attributes, codecs, chunk-grid statistics).
 */
import { ManifestArray, type VariableInfo, type VirtualDataset, type VirtualVariable, variableInfo } from "../../ts/src/browser.js";
import { formatBytes, formatNumber, formatValue, h } from "./dom.js";

/** One opened input (or a combination of several). */
export interface Entry {
  id: number;
  label: string;
  inputs: string[];
  ds: VirtualDataset;
  scanMs: number;
}

export interface Totals {
  variables: number;
  chunks: number;
  missing: number;
  referencedBytes: number;
  manifestBytes: number;
}

export function totals(ds: VirtualDataset): Totals {
  const t: Totals = { variables: 0, chunks: 0, missing: 0, referencedBytes: 0, manifestBytes: 0 };
  for (const [, v] of ds.walkVariables()) {
    const info = variableInfo(v);
    t.variables++;
    if (!v.virtual) continue;
    t.chunks += info.nchunks;
    t.missing += info.missing;
    t.referencedBytes += info.referenced_bytes;
    t.manifestBytes += manifestBytes(v);
  }
  return t;
}

export function manifestBytes(v: VirtualVariable): number {
  return v.data instanceof ManifestArray ? v.data.manifest.nbytes : 0;
}

/** The tree: one collapsible node per entry, its groups nested, variables as buttons. */
export function renderTree(
  entries: readonly Entry[],
  onSelect: (entry: Entry, path: string, kind: "group" | "variable") => void,
): HTMLElement {
  const list = h("ul", { class: "tree-root" });
  for (const entry of entries) {
    const summary = h(
      "summary",
      {},
      h(
        "button",
        { class: "node group", "data-entry": entry.id, "data-path": "", onclick: () => onSelect(entry, "", "group") },
        entry.label,
      ),
    );
    const body = h("details", { open: true, class: "entry" }, summary, groupList(entry, entry.ds, "", onSelect));
    list.append(h("li", {}, body));
  }
  return list;
}

function groupList(
  entry: Entry,
  ds: VirtualDataset,
  prefix: string,
  onSelect: (entry: Entry, path: string, kind: "group" | "variable") => void,
): HTMLElement {
  const ul = h("ul");
  for (const [name, v] of ds.variables) {
    const path = prefix + name;
    const label = `${name}(${v.dims.join(", ")})`;
    ul.append(
      h(
        "li",
        {},
        h(
          "button",
          {
            class: `node variable${ds.coordNames.has(name) ? " coord" : ""}`,
            "data-entry": entry.id,
            "data-path": path,
            title: `${v.dtype} ${JSON.stringify(v.shape)}`,
            onclick: () => onSelect(entry, path, "variable"),
          },
          label,
          h("span", { class: "dtype" }, v.dtype),
        ),
      ),
    );
  }
  for (const [name, g] of ds.groups) {
    const path = prefix + name;
    const summary = h(
      "summary",
      {},
      h(
        "button",
        { class: "node group", "data-entry": entry.id, "data-path": path, onclick: () => onSelect(entry, path, "group") },
        `${name}/`,
      ),
    );
    ul.append(h("li", {}, h("details", { open: true }, summary, groupList(entry, g, `${path}/`, onSelect))));
  }
  return ul;
}

function table(rows: readonly (readonly [string, Node | string])[], cls = "kv"): HTMLTableElement {
  const t = h("table", { class: cls });
  for (const [k, v] of rows) t.append(h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v)));
  return t;
}

/** Attributes, collapsed when there are many (GRIB variables carry dozens). */
function attrsSection(attrs: Readonly<Record<string, unknown>>): HTMLElement {
  const keys = Object.keys(attrs);
  const body =
    keys.length === 0
      ? h("p", { class: "muted" }, "none")
      : table(
          keys.map((k) => [k, formatValue(attrs[k])] as const),
          "kv attrs",
        );
  return h("details", { class: "attributes", open: keys.length <= 8 }, h("summary", {}, h("h3", {}, `Attributes (${keys.length})`)), body);
}

/** Details of a dataset or one of its groups. */
export function renderGroup(entry: Entry, path: string, onExport: () => void): HTMLElement {
  const ds = entry.ds.group(path);
  const t = totals(ds);
  const dims = Object.entries(ds.dims);
  return h(
    "article",
    { class: "group-details", "data-path": path },
    h(
      "header",
      {},
      h("h2", {}, path === "" ? entry.label : `${entry.label} › ${path}`),
      h("button", { class: "export", onclick: onExport }, "Export kerchunk JSON"),
    ),
    table([
      ["format", entry.ds.format ?? "combined"],
      ["inputs", h("ul", { class: "inputs" }, ...entry.inputs.map((i) => h("li", {}, i)))],
      ["scanned in", `${formatNumber(Math.round(entry.scanMs))} ms`],
      ["variables", formatNumber(t.variables)],
      ["virtual chunks", `${formatNumber(t.chunks)} (${formatNumber(t.missing)} missing)`],
      ["referenced bytes", formatBytes(t.referencedBytes)],
      ["manifest size", formatBytes(t.manifestBytes)],
    ]),
    h("h3", {}, "Dimensions"),
    dims.length === 0 ? h("p", { class: "muted" }, "none") : table(dims.map(([n, l]) => [n, formatNumber(l)] as const)),
    attrsSection(ds.attrs),
  );
}

function codecList(info: VariableInfo): HTMLElement {
  const items = (info.codecs as { name: string; configuration?: Record<string, unknown> }[]).map((c) =>
    h(
      "li",
      {},
      h("code", {}, c.name),
      c.configuration && Object.keys(c.configuration).length > 0 ? ` ${formatValue(c.configuration)}` : "",
    ),
  );
  return items.length === 0 ? h("span", { class: "muted" }, "none") : h("ol", { class: "codecs" }, ...items);
}

/** Details of one variable; the caller inserts the plot panel before the attributes. */
export function renderVariable(entry: Entry, path: string, v: VirtualVariable, isCoord: boolean): HTMLElement {
  const info = variableInfo(v);
  const grid = info.shape.map((len, a) => {
    const c = info.chunks[a];
    return typeof c === "number" ? Math.ceil(len / Math.max(c, 1)) : Array.isArray(c) ? c.length : 1;
  });
  return h(
    "article",
    { class: "variable-details", "data-path": path },
    h(
      "header",
      {},
      h("h2", {}, path),
      h("span", { class: "badge" }, v.dtype),
      h("span", { class: "badge" }, v.virtual ? "virtual" : "loaded"),
      isCoord ? h("span", { class: "badge" }, "coordinate") : null,
    ),
    table([
      ["dimensions", info.dims.length === 0 ? "scalar" : info.dims.map((d, a) => `${d}: ${info.shape[a]}`).join(" × ")],
      ["chunk shape", JSON.stringify(info.chunks)],
      ["chunk grid", info.dims.length === 0 ? "1" : grid.join(" × ")],
      ["chunks", `${formatNumber(info.nchunks)} (${formatNumber(info.missing)} missing)`],
      ["referenced bytes", formatBytes(info.referenced_bytes)],
      ["manifest size", formatBytes(manifestBytes(v))],
      ["codecs", codecList(info)],
      ["fill value", formatValue(info.fill_value)],
      ["file", entry.inputs.length === 1 ? (entry.inputs[0] as string) : `${entry.inputs.length} files`],
    ]),
    attrsSection(v.attrs),
  );
}

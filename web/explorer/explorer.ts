/**
 * The vzarr explorer page: open files by URL (HTTP range requests) or from disk, browse their
 * groups and variables, plot slices, export kerchunk JSON. Everything runs in the page: the
 * wasm core scans the files, only the byte ranges it asks for are fetched.
 */
import {
  kerchunkJsonBlob,
  loadBackend,
  openVirtualDataset,
  openVirtualMfdatasetWithReport,
  type VirtualDataset,
} from "../../ts/src/browser.js";
import { byId, formatBytes, h } from "./dom.js";
import { type Entry, renderGroup, renderTree, renderVariable } from "./inspect.js";
import { createPlotPanel, type PlotResult } from "./plot-panel.js";

type Input = string | File;

const entries: Entry[] = [];
let nextId = 1;
let lastPlot: PlotResult | undefined;
let lastExport: { entry: number; text: string } | undefined;

const form = byId("open-form", HTMLFormElement);
const urlsBox = byId("urls", HTMLTextAreaElement);
const filesInput = byId("files", HTMLInputElement);
const combineMode = byId("combine-mode", HTMLSelectElement);
const concatDimInput = byId("concat-dim", HTMLInputElement);
const statusLine = byId("status", HTMLElement);
const errorList = byId("errors", HTMLElement);
const tree = byId("tree", HTMLElement);
const details = byId("details", HTMLElement);
const serverFiles = byId("server-files", HTMLElement);

/** `busy` while scanning or reading, `ready` after, `error` when the last action failed. */
function setStatus(state: "busy" | "ready" | "error", text: string): void {
  document.body.dataset.status = state;
  statusLine.textContent = text;
}

function showError(what: string, e: unknown): void {
  const err = e as { name?: string; message?: string; kind?: string };
  errorList.append(
    h(
      "div",
      { class: "error", role: "alert", "data-kind": err.kind ?? "Error" },
      h("strong", {}, what),
      `: ${err.name ?? "Error"}: ${err.message ?? String(e)}`,
    ),
  );
}

function labelOf(input: Input): string {
  if (typeof input !== "string") return input.name;
  const path = new URL(input).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1)) || input;
}

interface Combine {
  mode: "nested" | "by_coords";
  concatDim?: string;
}

/** The combining chosen in the form, when several files are opened at once. */
function chosenCombine(): Combine | undefined {
  const mode = combineMode.value;
  if (mode === "nested") {
    const dim = concatDimInput.value.trim();
    return dim === "" ? undefined : { mode, concatDim: dim };
  }
  return mode === "by_coords" ? { mode } : undefined;
}

/**
 * Opens the inputs: combined into one dataset when asked for and there are several (falling
 * back to side by side if they do not combine), else each as its own dataset. Failures are
 * listed; the other files still open.
 */
async function open(inputs: readonly Input[], combine: Combine | undefined = chosenCombine()): Promise<Entry[]> {
  if (inputs.length === 0) return [];
  errorList.replaceChildren();
  setStatus("busy", `loading the wasm core and scanning ${inputs.length} file${inputs.length === 1 ? "" : "s"}…`);
  await loadBackend();
  const resolved = inputs.map((i) => (typeof i === "string" ? new URL(i, location.href).href : i));
  if (combine !== undefined && resolved.length > 1) {
    const combined = await openCombined(resolved, combine);
    if (combined !== undefined) return combined;
  }
  const results = await Promise.allSettled(
    resolved.map(async (input) => {
      // Ids in input order, whatever order the scans finish in.
      const id = nextId++;
      const t0 = performance.now();
      const ds = await openVirtualDataset(input);
      return { id, label: labelOf(input), inputs: [describeInput(input)], ds, scanMs: performance.now() - t0 } satisfies Entry;
    }),
  );
  const opened: Entry[] = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") opened.push(r.value);
    else showError(labelOf(resolved[i] as Input), r.reason);
  });
  return finishOpen(opened, results.length);
}

function describeInput(input: Input): string {
  return typeof input === "string" ? input : `${input.name} (local file)`;
}

/** One entry for all inputs; undefined (after listing the error) when they do not combine. */
async function openCombined(inputs: readonly Input[], combine: Combine): Promise<Entry[] | undefined> {
  const t0 = performance.now();
  try {
    const report = await openVirtualMfdatasetWithReport(inputs, {
      combine: combine.mode,
      concatDim: combine.concatDim,
      onError: "skip",
      onProgress: (p) => setStatus("busy", `scanned ${p.filesDone} of ${p.filesTotal} files…`),
    });
    for (const s of report.skipped) showError(s.file, s.error);
    const how = combine.mode === "nested" ? `along ${combine.concatDim}` : "by coordinates";
    const entry: Entry = {
      id: nextId++,
      label: `${report.files.length} files combined ${how}`,
      inputs: inputs.filter((i) => report.files.includes(typeof i === "string" ? i : i.name)).map(describeInput),
      ds: report.dataset,
      scanMs: performance.now() - t0,
    };
    return finishOpen([entry], inputs.length, report.files.length);
  } catch (e) {
    showError("combine (opened side by side instead)", e);
    return undefined;
  }
}

function finishOpen(opened: Entry[], attempted: number, files = opened.length): Entry[] {
  entries.push(...opened);
  renderEntries();
  const failed = attempted - files;
  setStatus(failed > 0 ? "error" : "ready", `opened ${files} of ${attempted}${failed > 0 ? ` (${failed} failed, see below)` : ""}`);
  const first = opened[0];
  if (first !== undefined) select(first, "", "group");
  return opened;
}

function renderEntries(): void {
  tree.replaceChildren(entries.length === 0 ? h("p", { class: "muted" }, "Nothing open yet.") : renderTree(entries, select));
}

function markSelected(entry: Entry, path: string): void {
  for (const el of Array.from(tree.querySelectorAll(".node.selected"))) el.classList.remove("selected");
  tree.querySelector(`.node[data-entry="${entry.id}"][data-path="${CSS.escape(path)}"]`)?.classList.add("selected");
}

function select(entry: Entry, path: string, kind: "group" | "variable"): void {
  markSelected(entry, path);
  lastPlot = undefined;
  if (kind === "group") {
    details.replaceChildren(renderGroup(entry, path, () => void exportEntry(entry)));
    return;
  }
  const parts = path.split("/");
  const name = parts.pop() as string;
  const group = entry.ds.group(parts.join("/"));
  const v = group.variable(name);
  const view = renderVariable(entry, path, v, group.coordNames.has(name));
  const panel = createPlotPanel(entry, path, v, {
    onStart: () => setStatus("busy", `reading ${path}…`),
    onDone: (result) => {
      lastPlot = result;
      setStatus("ready", `plotted ${path}`);
    },
    onError: (e) => {
      showError(path, e);
      setStatus("error", `cannot read ${path}`);
    },
  });
  // The plot first: it is what one selects a variable for; attributes can be long.
  view.insertBefore(panel, view.querySelector(".attributes"));
  details.replaceChildren(view);
}

/** Writes the entry's references as kerchunk JSON and downloads them. */
async function exportEntry(entry: Entry): Promise<void> {
  setStatus("busy", `writing kerchunk JSON for ${entry.label}…`);
  try {
    const blob = await kerchunkJsonBlob(entry.ds, { onUnsupported: "skip", warn: (m) => showError("export", new Error(m)) });
    lastExport = { entry: entry.id, text: await blob.text() };
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: `${entry.label.replace(/[^\w.-]+/g, "_")}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setStatus("ready", `exported ${formatBytes(blob.size)} of kerchunk JSON`);
  } catch (e) {
    showError("export", e);
    setStatus("error", "export failed");
  }
}

function clear(): void {
  for (const e of entries) e.ds.free();
  entries.length = 0;
  lastPlot = undefined;
  errorList.replaceChildren();
  details.replaceChildren(h("p", { class: "muted" }, "Open a file to see its groups, variables and chunk manifests."));
  renderEntries();
  setStatus("ready", "cleared");
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const urls = urlsBox.value
    .split(/\s*\n\s*/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("#"));
  void open(urls);
});
filesInput.addEventListener("change", () => {
  void open(Array.from(filesInput.files ?? []));
  filesInput.value = "";
});
byId("clear-button", HTMLButtonElement).addEventListener("click", clear);
combineMode.addEventListener("change", () => {
  concatDimInput.disabled = combineMode.value !== "nested";
  if (!concatDimInput.disabled) concatDimInput.focus();
});

// Dropping files anywhere on the page opens them.
let dragDepth = 0;
document.addEventListener("dragenter", (ev) => {
  if (!ev.dataTransfer?.types.includes("Files")) return;
  dragDepth++;
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) document.body.classList.remove("dragging");
});
document.addEventListener("dragover", (ev) => ev.preventDefault());
document.addEventListener("drop", (ev) => {
  ev.preventDefault();
  dragDepth = 0;
  document.body.classList.remove("dragging");
  void open(Array.from(ev.dataTransfer?.files ?? []));
});

/** Files the explorer server offers under data/ (when started with --data), as shortcuts. */
async function listServerFiles(): Promise<void> {
  try {
    const res = await fetch("data/?list");
    if (!res.ok) return;
    const files = (await res.json()) as string[];
    if (files.length === 0) return;
    const chips = files.map((f) =>
      h(
        "button",
        {
          type: "button",
          class: "chip",
          onclick: () => {
            urlsBox.value = `${urlsBox.value.trim()}\ndata/${f}`.trim();
          },
        },
        f,
      ),
    );
    const label = `${files.length} file${files.length === 1 ? "" : "s"} on this server (click to add)`;
    serverFiles.replaceChildren(h("details", { open: files.length <= 12 }, h("summary", { class: "muted" }, label), ...chips));
  } catch {
    // Served by something else than the explorer server: no list, nothing to show.
  }
}

/** For scripts and tests: the page's state and actions. */
const api = {
  open: (inputs: Input[], combine?: Combine) => open(inputs, combine),
  entries: () => entries.map((e) => ({ id: e.id, label: e.label, inputs: e.inputs, format: e.ds.format })),
  dataset: (id: number): VirtualDataset | undefined => entries.find((e) => e.id === id)?.ds,
  select: (id: number, path: string) => {
    const entry = entries.find((e) => e.id === id);
    if (entry === undefined) throw new Error(`no entry ${id}`);
    select(entry, path, kindOf(entry.ds, path));
  },
  get lastPlot() {
    return lastPlot;
  },
  get lastExport() {
    return lastExport;
  },
};

function kindOf(ds: VirtualDataset, path: string): "group" | "variable" {
  const parts = path.split("/");
  const name = parts.pop() as string;
  try {
    return ds.group(parts.join("/")).variables.has(name) ? "variable" : "group";
  } catch {
    return "group";
  }
}

declare global {
  interface Window {
    vzarrExplorer: typeof api;
  }
}
window.vzarrExplorer = api;

renderEntries();
// "ready" only once the server's file list is in (or known to be absent): scripts and tests
// wait for "ready" and then expect the shortcuts.
setStatus("busy", "starting");
void listServerFiles().finally(() => setStatus("ready", "ready: enter URLs or drop files"));

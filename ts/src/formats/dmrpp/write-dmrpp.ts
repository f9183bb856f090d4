/**
 * `writeDmrpp`: a dataset's DMR++ written to a local file (under a temporary name renamed
 * into place, never over an input or the data file). The Dataset's `dmrpp:href` is the data
 * file's name when the sidecar is written beside it (so the pair can be moved together),
 * else its URL.
 */
import { writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { VirtualDataset } from "../../dataset/virtual-dataset.js";
import { checkOutput, replaceAtomically } from "../../io/output-safety.js";
import { referencedLocations } from "../../parsers/authorize-references.js";
import { dataFileOf, type ToDmrppOptions, toDmrpp } from "./to-dmrpp.js";

export interface WriteDmrppOptions extends ToDmrppOptions {
  overwrite?: boolean;
  /** Files the output must not replace (the inputs as given). */
  inputs?: readonly string[];
  /** Told about each variable left out. */
  warn?: (message: string) => void;
}

/** Writes the sidecar; returns the bytes written and the variables left out. */
export async function writeDmrpp(
  ds: VirtualDataset,
  path: string,
  options: WriteDmrppOptions = {},
): Promise<{ bytes: number; skipped: Map<string, string> }> {
  const target = checkOutput(path, {
    inputs: [...(options.inputs ?? []), ...ds.sources.keys(), ...referencedLocations(ds)],
    overwrite: options.overwrite === true,
  });
  const dataFile = dataFileOf(ds);
  let href = options.href;
  if (href === undefined && dataFile.startsWith("file:")) {
    const local = fileURLToPath(dataFile);
    if (dirname(local) === dirname(target)) href = local.slice(dirname(local).length + 1);
  }
  const doc = toDmrpp(ds, { ...options, href });
  for (const [name, why] of doc.skipped) options.warn?.(`${name} left out of the DMR++: ${why}`);
  const bytes = new TextEncoder().encode(doc.text);
  await replaceAtomically(target, (temporary) => writeFile(temporary, bytes));
  return { bytes: bytes.length, skipped: doc.skipped };
}

/** `vzarr cat <input> <variable> [--slice 0:10,:,5] -o out.npy`: stored values as NumPy .npy. */
import { writeFile } from "node:fs/promises";
import { openVirtualDataset } from "../dataset/open-virtual-dataset.js";
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { npyBytes, stringsToNpy } from "../io/npy.js";
import { decodeCf } from "../store/decode-cf.js";
import { findVariable, readArray } from "../store/read-array.js";
import { parseSelection } from "../store/selection.js";
import { listOption, parseArgs, stringOption } from "./args.js";

export const catUsage =
  "vzarr cat <input> <variable> [--slice 0:10,:,5] [--decode] [--group G] [--parser NAME] [--allow PREFIX]… -o out.npy";

export async function catCommand(argv: readonly string[], out: (text: string) => void): Promise<void> {
  const args = parseArgs(argv, {
    values: ["output", "slice", "group", "parser"],
    flags: ["decode"],
    aliases: { o: "output" },
    lists: ["allow"],
  });
  const [input, variable, ...extra] = args.positionals;
  const output = stringOption(args, "output");
  if (input === undefined || variable === undefined || output === undefined || extra.length > 0) {
    throw new InvalidArgumentError(`usage: ${catUsage}`);
  }
  const sliceText = stringOption(args, "slice");
  const selection = sliceText === undefined ? undefined : parseSelection(sliceText);
  const allow = listOption(args, "allow");
  using ds = await openVirtualDataset(input, {
    group: stringOption(args, "group"),
    parser: stringOption(args, "parser"),
    allow,
    loadableVariables: [],
  });
  const raw = await readArray(ds, variable, selection, { allow });
  // --decode: values as xarray shows them by default (masked and scaled).
  const r = args.options.has("decode") ? decodeCf(raw, findVariable(ds, variable).attrs) : raw;
  const bytes = Array.isArray(r.data) ? stringsToNpy(r.data, r.shape) : npyBytes(r.data, r.shape, r.dtype);
  await writeFile(output, bytes);
  out(`wrote ${output}: ${r.dtype} ${JSON.stringify(r.shape)}`);
}

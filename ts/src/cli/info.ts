/** `vzarr info <input> [--json] [--group G] [--parser NAME]`: what a file or store contains. */
import { datasetInfo, describeText } from "../dataset/describe.js";
import { openVirtualDataset } from "../dataset/open-virtual-dataset.js";
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { jsonText } from "../metadata/json-text.js";
import { listOption, parseArgs, stringOption } from "./args.js";

export const infoUsage = "vzarr info <input> [--json] [--group G] [--parser NAME] [--allow PREFIX]…";

export async function infoCommand(argv: readonly string[], out: (text: string) => void): Promise<void> {
  const args = parseArgs(argv, { values: ["group", "parser"], flags: ["json"], lists: ["allow"] });
  const input = args.positionals[0];
  if (input === undefined || args.positionals.length > 1) throw new InvalidArgumentError(`usage: ${infoUsage}`);
  using ds = await openVirtualDataset(input, {
    group: stringOption(args, "group"),
    parser: stringOption(args, "parser"),
    allow: listOption(args, "allow"),
    loadableVariables: [],
  });
  if (args.options.has("json")) out(jsonText(datasetInfo(ds), 2));
  else out(`${input}${ds.format === undefined ? "" : ` (${ds.format})`}\n${describeText(ds)}`);
}

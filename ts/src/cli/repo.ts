/**
 * `vzarr repo gc <repository> [--dry-run] [--grace SECONDS]`: removes the files no snapshot
 * of an Icechunk repository's history refers to (what killed or conflicting writers left),
 * temporary files, and locks whose holder is gone.
 */
import { InvalidArgumentError } from "../errors/vzarr-error.js";
import { garbageCollect } from "../formats/icechunk/gc.js";
import { holderIsGone } from "../formats/icechunk/local-storage.js";
import { parseArgs, stringOption } from "./args.js";
import { formatBytes } from "./progress.js";

export const repoUsage = "vzarr repo gc <repository> [--dry-run] [--grace SECONDS]";

export async function repoCommand(argv: readonly string[], out: (text: string) => void): Promise<void> {
  const args = parseArgs(argv, { values: ["grace"], flags: ["dry-run"] });
  const [action, repo, ...extra] = args.positionals;
  if (action !== "gc" || repo === undefined || extra.length > 0) throw new InvalidArgumentError(`usage: ${repoUsage}`);
  const graceText = stringOption(args, "grace");
  const grace = graceText === undefined ? 3600 : Number(graceText);
  if (!Number.isFinite(grace) || grace < 0) throw new InvalidArgumentError("--grace must be a non-negative number of seconds");
  const dryRun = args.options.has("dry-run");
  const r = await garbageCollect(repo, { graceMs: grace * 1000, dryRun, holderIsGone });
  for (const key of r.removed) out(`${dryRun ? "would remove" : "removed"} ${key}`);
  out(
    `${dryRun ? "would remove" : "removed"} ${r.removed.length} object${r.removed.length === 1 ? "" : "s"} (${formatBytes(r.bytes)}); ` +
      `${r.snapshots} snapshot${r.snapshots === 1 ? "" : "s"} kept${r.young > 0 ? `; ${r.young} unreferenced newer than ${grace} s kept` : ""}`,
  );
}

/** Is a local path an Icechunk repository? (`repo` file: spec 2; `refs/branch.main/ref.json`: spec 1.) */
import { statSync } from "node:fs";
import { join } from "node:path";
import { isLocalDirectory, localPath } from "../../io/local-file.js";
import { isLocalInput } from "../../io/url-scheme.js";

// Synchronous: a probe made for every input file (see io/local-file.ts on thread-pool round trips).
export async function isIcechunkRepository(input: string): Promise<boolean> {
  if (!isLocalInput(input) || !isLocalDirectory(input)) return false;
  const dir = localPath(input);
  const isFile = (p: string) => statSync(join(dir, p), { throwIfNoEntry: false })?.isFile() === true;
  return isFile("repo") || isFile(join("refs", "branch.main", "ref.json"));
}

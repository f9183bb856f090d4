/** Is a local path an Icechunk repository? (`repo` file: spec 2; `refs/branch.main/ref.json`: spec 1.) */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { localPath } from "../io/local-file.js";
import { schemeOf } from "./containers.js";

export async function isIcechunkRepository(input: string): Promise<boolean> {
  const scheme = schemeOf(input);
  if (scheme !== "" && scheme !== "file") return false;
  const dir = localPath(input);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return false;
  const isFile = (p: string) =>
    stat(join(dir, p)).then(
      (s) => s.isFile(),
      () => false,
    );
  return (await isFile("repo")) || (await isFile(join("refs", "branch.main", "ref.json")));
}

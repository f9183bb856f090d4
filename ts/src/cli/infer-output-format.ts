/**
 * The output format `-o NAME` implies when `--format` is not given: a `.json` file is
 * kerchunk JSON, `.parq`/`.parquet` a kerchunk Parquet set, `.dmrpp` a DMR++ sidecar, `.icechunk` or an existing
 * Icechunk repository a repository, and any other name kerchunk JSON (kerchunk's default). So
 * `-o out.parq` never writes JSON under that name.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isLocalInput } from "../io/url-scheme.js";

const BY_EXTENSION: Readonly<Record<string, string>> = {
  ".json": "kerchunk-json",
  ".parq": "kerchunk-parquet",
  ".parquet": "kerchunk-parquet",
  ".icechunk": "icechunk",
  ".dmrpp": "dmrpp",
};

/** An Icechunk repository (spec 1 `repo` file or spec 0 branch ref) at a local path. */
export function isLocalRepository(path: string): boolean {
  return isLocalInput(path) && (existsSync(join(path, "repo")) || existsSync(join(path, "refs", "branch.main", "ref.json")));
}

export function inferOutputFormat(output: string): string {
  const name = output.replace(/\/+$/, "");
  const ext = Object.keys(BY_EXTENSION).find((e) => name.toLowerCase().endsWith(e));
  if (ext !== undefined) return BY_EXTENSION[ext] as string;
  return isLocalRepository(name) ? "icechunk" : "kerchunk-json";
}

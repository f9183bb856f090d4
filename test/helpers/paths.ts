import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixtures = join(repoRoot, "test", "fixtures");
/** The shared corpus of real files (present on development machines and CI of this kind). */
export const corpus = process.env.VZARR_CORPUS ?? join(repoRoot, "..", "shared", "corpus");
export const hasCorpus = existsSync(join(corpus, "truth.json"));

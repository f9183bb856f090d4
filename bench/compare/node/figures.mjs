/**
 * The single-tool figures the side-by-side report also states targets for, measured in a
 * fresh process by the same code as bench/manifest.bench.mjs and bench/combine.bench.mjs:
 *   node bench/compare/node/figures.mjs manifest|combine SCALE   → one JSON line
 */
import { measureCombineFigures } from "../../lib/combine-figures.mjs";
import { measureManifestFigures } from "../../lib/manifest-figures.mjs";

const [which, scale] = process.argv.slice(2);
const figures = which === "manifest" ? await measureManifestFigures(Number(scale)) : await measureCombineFigures(Number(scale));
process.stdout.write(`${JSON.stringify(figures)}\n`);

/** Combining datasets: concat, merge, combineNested, combineByCoords. */
export { combineByCoords } from "./combine-by-coords.js";
export { type CombineOptions, combineNested, type NestedDatasets } from "./combine-nested.js";
export { type ConcatOptions, concat } from "./concat.js";
export { type MergeOptions, merge } from "./merge.js";
export { releaseUnused } from "./ownership.js";

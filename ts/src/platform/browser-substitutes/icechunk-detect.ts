/**
 * Browser substitute for `icechunk/detect.ts`: that probe looks for a repository in a local
 * directory, and browsers have none, so nothing is one. (Repositories over S3 are opened
 * explicitly with `openIcechunk`.)
 */
import type * as Real from "../../formats/icechunk/detect.js";

export const isIcechunkRepository: typeof Real.isIcechunkRepository = async () => false;

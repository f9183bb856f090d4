/** Browser substitute for `formats/kerchunk/to-kerchunk.ts`: browsers write references as Blobs (`kerchunkJsonBlob`). */
import type * as Real from "../../formats/kerchunk/to-kerchunk.js";
import { noLocalFiles } from "./no-local-files.js";

export type ToKerchunkOptions = Real.ToKerchunkOptions;

export const writeKerchunk: typeof Real.writeKerchunk = async (_ds, path) => {
  throw noLocalFiles(`cannot write ${path}; use kerchunkJsonBlob() in browsers`, path);
};

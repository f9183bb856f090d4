/**
 * Icechunk repositories as sources (a local directory; `openStore` also reads them on S3):
 * the snapshot of the branch, tag or snapshot `version` names, as a dataset of its arrays.
 */
import { authorizeDataset, referencePolicy } from "../../parsers/authorize-references.js";
import { loadIfRequested } from "../../parsers/load.js";
import type { Parser } from "../../parsers/parser.js";
import { isIcechunkRepository } from "./detect.js";

export const icechunkParser: Parser = {
  name: "icechunk",
  input: "directory",
  sniff: ({ url, directory }) => directory && isIcechunkRepository(url),
  async open({ url }, options) {
    // Loaded on use: FlexBuffers and the repository code are not needed to scan files.
    const { openIcechunk } = await import("./read-dataset.js");
    const ds = await openIcechunk(url, {
      ...options.version,
      group: options.group,
      dropVariables: options.dropVariables,
      core: options.core,
    });
    return loadIfRequested(await authorizeDataset(ds, referencePolicy(url, options)), options);
  },
};

/**
 * DMR++ sidecars (OPeNDAP Hyrax's chunk maps of HDF5 / netCDF-4 files) as sources: the core's
 * DMR++ scanner (`crates/vzarr-core/src/dmrpp`) reads the XML — dims, types, attributes,
 * chunk positions and filters — and the chunks point at the file the sidecar names (or
 * `dataFile`), which is not read unless coordinates are loaded or `verify` is asked for.
 */

import { makeError } from "../../errors/vzarr-error.js";
import { openSource } from "../../io/open-source.js";
import { authorizeDataset, referencePolicy } from "../../parsers/authorize-references.js";
import { scanOptionsFor } from "../../parsers/core-scanned.js";
import { datasetFromScan } from "../../parsers/from-scan.js";
import { loadListed } from "../../parsers/load.js";
import type { Parser } from "../../parsers/parser.js";
import { scanSource } from "../../parsers/scan.js";
import { asUrl, datasetHref, resolveHref } from "./data-file.js";

/** The Dataset element and the DMR++ namespace near the start of an XML document. */
function looksLikeDmrpp(head: Uint8Array): boolean {
  const text = new TextDecoder("latin1").decode(head.subarray(0, 4096));
  return /<(?:[\w.-]+:)?Dataset\b/.test(text) && text.includes("xml.opendap.org/dap/dmrpp");
}

export const dmrppParser: Parser = {
  name: "dmrpp",
  aliases: ["dmr++"],
  input: "file",
  // No `coreFormat`: a platform's direct scan would skip resolving the hrefs below.
  sniff: ({ head }) => looksLikeDmrpp(head),
  async open({ url, source }, options) {
    if (source === undefined) throw makeError("InvalidArgument", `dmrpp: ${url} is not a file`, { file: url });
    const { size } = await source.stat();
    const href = datasetHref(await source.read(0, Math.min(size, 64 * 1024)));
    const scan = await scanSource(source, { ...scanOptionsFor(options, "dmrpp"), core: options.core });
    const dataFile = options.dataFile === undefined ? undefined : asUrl(options.dataFile);
    const rename = (path: string) => (path === href && dataFile !== undefined ? dataFile : resolveHref(path, source.url));
    scan.manifests = scan.manifests.map((m) => {
      const renamed = m.renamePaths(rename);
      m.free();
      return renamed;
    });
    let ds = await authorizeDataset(datasetFromScan(scan), referencePolicy(url, options));
    if (options.verify === true) {
      const { verifyAgainstDataFile } = await import("./verify.js");
      ds = await verifyAgainstDataFile(ds, dataFile ?? resolveHref(href, source.url), options);
    }
    return loadListed(ds, options.loadableVariables, options.core, openSource);
  },
};

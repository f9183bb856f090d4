/**
 * kerchunk reference sets as sources: a JSON file (version 0/1, with templates and `gen`) and
 * a Parquet directory (fsspec's LazyReferenceMapper layout). Their references are followed
 * as stored; loaded values stay loaded, and only an explicit `loadableVariables` loads more.
 */
import { InvalidArgumentError } from "../../errors/vzarr-error.js";
import { authorizeLocations } from "../../io/authorize.js";
import { isLocalDirectory } from "../../io/local-file.js";
import { authorizeDataset, referencePolicy } from "../../parsers/authorize-references.js";
import { loadIfRequested } from "../../parsers/load.js";
import type { Parser } from "../../parsers/parser.js";
import { LocalDirectory } from "./local-directory.js";
import { looksLikeReferenceJson, openKerchunkJson, openKerchunkParquetDirectory } from "./open-references.js";
import { ZMETADATA } from "./parquet-layout.js";

const HEAD_TEXT = 4096;

export const kerchunkJsonParser: Parser = {
  name: "kerchunk-json",
  aliases: ["kerchunk"],
  input: "file",
  sniff: ({ head }) => head.length >= 2 && looksLikeReferenceJson(new TextDecoder().decode(head.subarray(0, HEAD_TEXT))),
  async open({ url, source }, options) {
    const policy = referencePolicy(url, options);
    const authorize = (urls: readonly string[]) => authorizeLocations(urls, policy);
    const selection = { group: options.group, dropVariables: options.dropVariables, core: options.core, authorize };
    return loadIfRequested(await authorizeDataset(await openKerchunkJson(source ?? url, selection), policy), options);
  },
};

export const kerchunkParquetParser: Parser = {
  name: "kerchunk-parquet",
  input: "directory",
  async sniff({ url, directory }) {
    if (!directory || !isLocalDirectory(url)) return false;
    const meta = await new LocalDirectory(url).read(ZMETADATA);
    return meta !== undefined && /"record_size"\s*:/.test(new TextDecoder().decode(meta));
  },
  async open({ url }, options) {
    if (!isLocalDirectory(url)) throw new InvalidArgumentError("a kerchunk Parquet reference set is a directory: pass its path");
    const policy = referencePolicy(url, options);
    const authorize = (urls: readonly string[]) => authorizeLocations(urls, policy);
    const selection = { group: options.group, dropVariables: options.dropVariables, core: options.core, authorize };
    return loadIfRequested(await authorizeDataset(await openKerchunkParquetDirectory(url, selection), policy), options);
  },
};

/**
 * Zarr stores as sources (as VirtualiZarr's ZarrParser): v2 and v3, sharded or not, in a
 * local directory, under an `http(s)://` prefix (consolidated metadata) or an `s3://` prefix
 * (listed); and zarr-python's zip stores (`.zarr.zip`), indexed from the central directory.
 * Each stored chunk becomes a reference to its object (or, sharded, to its bytes in the
 * shard); the codecs carry over unchanged.
 */
import { isLocalDirectory } from "../../io/local-file.js";
import { isLocalInput } from "../../io/url-scheme.js";
import { authorizeDataset, referencePolicy } from "../../parsers/authorize-references.js";
import { loadIfRequested } from "../../parsers/load.js";
import type { Parser } from "../../parsers/parser.js";
import type { ZarrStore } from "./store.js";

// The store readers load on first use: a scan worker that opens netCDF files never needs them.
const storeModules = () => Promise.all([import("./open-store.js"), import("./read-store.js")]);

const ROOT_DOCUMENTS = ["zarr.json", ".zmetadata", ".zgroup", ".zarray"];

async function hasRootDocument(store: ZarrStore): Promise<boolean> {
  for (const key of ROOT_DOCUMENTS) if ((await store.size(key)) !== undefined) return true;
  return false;
}

export const zarrParser: Parser = {
  name: "zarr",
  aliases: ["zarr2", "zarr3"],
  input: "directory",
  async sniff({ url }) {
    if (isLocalInput(url) && !isLocalDirectory(url)) return false;
    try {
      const [{ openZarrStore }] = await storeModules();
      return await hasRootDocument(openZarrStore(url));
    } catch {
      return false;
    }
  },
  async open({ url }, options) {
    const [{ openZarrStore }, { readZarrStore }] = await storeModules();
    const ds = await readZarrStore(openZarrStore(url), { group: options.group, dropVariables: options.dropVariables, core: options.core });
    return loadIfRequested(await authorizeDataset(ds, referencePolicy(url, options)), options);
  },
};

const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];

export const zarrZipParser: Parser = {
  name: "zarr-zip",
  input: "file",
  // A zip file named .zip: the Zarr metadata lies in the central directory at its end.
  sniff: ({ url, head }) => ZIP_LOCAL_HEADER.every((b, i) => head[i] === b) && /\.zip$/i.test(url),
  async open({ url, source }, options) {
    if (source === undefined) throw new Error(`zarr-zip: ${url} is not a file`);
    const [{ ZipStore }, { readZarrStore }] = await Promise.all([import("./zip-store.js"), import("./read-store.js")]);
    const store = await ZipStore.open(source);
    const ds = await readZarrStore(store, { group: options.group, dropVariables: options.dropVariables, core: options.core });
    return loadIfRequested(await authorizeDataset(ds, referencePolicy(url, options)), options);
  },
};

/**
 * `openVirtualDataset`, `vzarr info` and `vzarr refs` on kerchunk reference sets: detection
 * by content, conversion JSON ⇄ Parquet, checked by fsspec + xarray against the original file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { infoCommand } from "../ts/src/cli/info.js";
import { refsCommand } from "../ts/src/cli/refs.js";
import { openVirtualDataset } from "../ts/src/dataset/open-virtual-dataset.js";
import { InvalidArgumentError } from "../ts/src/errors/vzarr-error.js";
import { detectReferenceFormat, looksLikeReferenceJson } from "../ts/src/formats/kerchunk/open-references.js";
import { core } from "./helpers/backend.js";
import { type CompareReport, compareWithFixture, type H5Fixture, interopScript, makeH5Fixture } from "./helpers/h5-fixture.js";
import { runPython } from "./helpers/python.js";

let fx: H5Fixture;

beforeAll(async () => {
  fx = await makeH5Fixture();
  await runPython(interopScript, ["kerchunk-json", fx.file, join(fx.dir, "kc.json"), "0"]);
  await runPython(interopScript, ["refs-to-parquet", join(fx.dir, "kc.json"), join(fx.dir, "kc.parq"), "5"]);
});

type Command = (argv: readonly string[], out: (text: string) => void, err: (text: string) => void) => Promise<void>;

async function run(command: Command, argv: string[]): Promise<string> {
  const lines: string[] = [];
  await command(
    argv,
    (t) => lines.push(t),
    () => undefined,
  );
  return lines.join("\n");
}

function allEqual(report: CompareReport): boolean {
  return Object.values(report).every((vars) =>
    Object.entries(vars).every(([n, r]) => n === "__extra__" || (r as { equal: boolean }).equal),
  );
}

describe(`kerchunk reference sets through openVirtualDataset and the CLI (${core.kind} backend)`, () => {
  it("detects reference sets by content", async () => {
    expect(await detectReferenceFormat(join(fx.dir, "kc.json"))).toBe("kerchunk-json");
    expect(await detectReferenceFormat(join(fx.dir, "kc.parq"))).toBe("kerchunk-parquet");
    expect(await detectReferenceFormat(fx.file)).toBeUndefined();
    expect(await detectReferenceFormat(fx.dir)).toBeUndefined();
    expect(looksLikeReferenceJson('{"air/0.0": ["x", 1, 2]}')).toBe(true);
    expect(looksLikeReferenceJson('  {\n ".zgroup": "{}"')).toBe(true);
    expect(looksLikeReferenceJson('{"type": "FeatureCollection"}')).toBe(false);
    using json = await openVirtualDataset(join(fx.dir, "kc.json"), { core });
    using parquet = await openVirtualDataset(join(fx.dir, "kc.parq"), { core, group: "forecast" });
    expect(json.format).toBe("kerchunk-json");
    expect([...parquet.variables.keys()]).toEqual(["precip"]);
  });

  it("vzarr info describes JSON and Parquet reference sets", async () => {
    const info = JSON.parse(await run(infoCommand, [join(fx.dir, "kc.json"), "--json"])) as {
      format: string;
      variables: Record<string, { nchunks: number; missing: number; dims: string[] }>;
      groups: Record<string, { variables: Record<string, unknown> }>;
    };
    expect(info.format).toBe("kerchunk-json");
    expect(info.variables.air).toMatchObject({ nchunks: 16, missing: 4, dims: ["time", "lat", "lon"] });
    expect(Object.keys(info.groups.forecast?.variables ?? {})).toEqual(["precip"]);
    const text = await run(infoCommand, [join(fx.dir, "kc.parq")]);
    expect(text).toContain("(kerchunk-parquet)");
    expect(text).toMatch(/air\(time, lat, lon\) <f4 chunks \[1,4,3\]: 16 chunks \(4 missing\)/);
  });

  it("vzarr refs converts kerchunk JSON to Parquet and back; fsspec reads both", async () => {
    const parquet = join(fx.dir, "cli.parq");
    const said = await run(refsCommand, [join(fx.dir, "kc.json"), "-o", parquet, "--format", "kerchunk-parquet", "--record-size", "4"]);
    expect(said).toMatch(/wrote .*cli\.parq \(kerchunk-parquet/);
    const json = join(fx.dir, "cli.json");
    await run(refsCommand, [parquet, "-o", json, "--quiet"]);
    const reports = await compareWithFixture(fx, [
      ["pyarrow", parquet],
      ["json", json],
    ]);
    expect(reports.every(allEqual)).toBe(true);
  });

  it("rejects bad record sizes", async () => {
    const out = join(fx.dir, "bad.parq");
    await expect(run(refsCommand, [fx.file, "-o", out, "--format", "kerchunk-parquet", "--record-size", "0"])).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(run(refsCommand, [fx.file, "-o", join(fx.dir, "x.json"), "--record-size", "10"])).rejects.toThrow(/kerchunk-parquet only/);
    writeFileSync(join(fx.dir, "broken.json"), '{"version": 1, "refs": {".zgroup": "{\\"zarr_format\\":2}", "a/.zarray": ');
    await expect(run(infoCommand, [join(fx.dir, "broken.json")])).rejects.toThrow(/truncated/);
  });
});

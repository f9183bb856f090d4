/**
 * Version 1 `templates` and `gen`: our expansion must equal fsspec's (simple_templates=False,
 * rendered by jinja2), and the template engine must agree with jinja2 on arithmetic.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UnsupportedFeatureError } from "../ts/src/errors/vzarr-error.js";
import { readKerchunkJson } from "../ts/src/formats/kerchunk/read-json.js";
import { renderTemplate } from "../ts/src/formats/kerchunk/template.js";
import type { ManifestArray } from "../ts/src/manifest/manifest-array.js";
import { core } from "./helpers/backend.js";
import { interopScript } from "./helpers/h5-fixture.js";
import { runPythonJson } from "./helpers/python.js";

const zarray = (shape: number[], chunks: number[]) =>
  JSON.stringify({ zarr_format: 2, shape, chunks, dtype: "<i4", compressor: null, filters: null, fill_value: 0, order: "C" });

const referenceSet = {
  version: 1,
  templates: { u: "s3://bucket/data", v: "https://example.com/grib" },
  gen: [
    {
      key: "x/{{i}}.{{j}}",
      url: "{{u}}/f_{{i}}.bin",
      offset: "{{ (i * 2 + j) * 100 }}",
      length: "{{ 50 + j }}",
      dimensions: { i: { start: 0, stop: 6 }, j: [0, 1] },
    },
    // descending range, whole-file references, // and %
    { key: "y/{{ k // 3 }}.{{ k % 3 }}", url: "{{v}}_{{ k ~ '.grib' }}", dimensions: { k: { start: 5, stop: -1, step: -1 } } },
    { key: "w/{{ n }}", url: "{{u}}/w", offset: "1000", length: "{{ 2 ** n }}", dimensions: { n: [0, 1, 2] } },
  ],
  refs: {
    ".zgroup": '{"zarr_format":2}',
    "x/.zarray": zarray([6, 4], [1, 2]),
    "x/.zattrs": '{"_ARRAY_DIMENSIONS":["a","b"]}',
    "y/.zarray": zarray([2, 3], [1, 1]),
    "w/.zarray": zarray([3], [1]),
    "z/.zarray": zarray([3], [1]),
    "z/0": ["{{u}}/z.bin", 0, 10],
    "z/1": "base64:AAEC",
    "z/2": "hello",
  },
};

/** Stands in for the file sizes of whole-file references (remote URLs here). */
const fakeSize = async (url: string) => url.length * 10;

function variableManifest(ds: Awaited<ReturnType<typeof readKerchunkJson>>, name: string) {
  return (ds.variable(name).data as ManifestArray).manifest;
}

describe(`kerchunk v1 templates and gen (${core.kind} backend)`, () => {
  it("expands gen and templates exactly as fsspec with jinja2 does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vzarr-gen-"));
    const file = join(dir, "gen.json");
    writeFileSync(file, JSON.stringify(referenceSet));
    const expected = await runPythonJson<Record<string, unknown>>(interopScript, ["expand", file]);
    using ds = await readKerchunkJson(new TextEncoder().encode(JSON.stringify(referenceSet)), { core, statSize: fakeSize });
    let compared = 0;
    for (const [key, value] of Object.entries(expected)) {
      const slash = key.lastIndexOf("/");
      const name = key.slice(0, slash);
      if (key.slice(slash + 1).startsWith(".z")) continue;
      const coords = key
        .slice(slash + 1)
        .split(".")
        .map(Number);
      const entry = variableManifest(ds, name).entry(coords);
      if (Array.isArray(value)) {
        const [url, offset, length] = value as [string, number?, number?];
        expect(entry, key).toEqual({ path: url, offset: offset ?? 0, length: length ?? (await fakeSize(url)) });
      } else {
        const text = value as string;
        const bytes = text.startsWith("base64:") ? Buffer.from(text.slice(7), "base64") : Buffer.from(text, "utf8");
        expect(Buffer.from(entry?.data ?? []).equals(bytes), key).toBe(true);
      }
      compared++;
    }
    // 12 x + 6 y + 3 w + 3 z references, and nothing more on our side
    expect(compared).toBe(24);
    const present = ["x", "y", "w", "z"].reduce((n, v) => n + variableManifest(ds, v).stats().present, 0);
    expect(present).toBe(24);
    expect(ds.variable("x").dims).toEqual(["a", "b"]);
  });

  it("renders arithmetic like jinja2 (precedence, floor division, modulo, powers)", async () => {
    const templates = [
      "{{ -2 ** 2 }}",
      "{{ -7 // 2 }}",
      "{{ 7 % -3 }}",
      "{{ -7 % 3 }}",
      "{{ 2 ** 3 ** 2 }}",
      "{{ -i // 2 }}",
      "{{ 10 - 2 - 3 }}",
      "{{ 2 * 3 % 4 }}",
      "{{ (i + 1) * 1000 }}",
      "{{u}}/f_{{ i }}_{{i*100}}.nc",
      "{{ u ~ '/' ~ i }}",
      "{{ (1 + 2) ~ 3 }}",
      "{{ 123456789012 * 1000000 }}",
      "plain text",
    ];
    const vars = { i: 5, u: "s3://b/p" };
    const expected = await runPythonJson<string[]>(interopScript, ["jinja", JSON.stringify(templates), JSON.stringify(vars)]);
    const ours = templates.map((t) =>
      renderTemplate(
        t,
        new Map<string, string | bigint>([
          ["i", 5n],
          ["u", "s3://b/p"],
        ]),
      ),
    );
    expect(ours).toEqual(expected);
  });

  it("rejects what it does not implement instead of guessing", () => {
    const vars = new Map<string, string | bigint>([["i", 1n]]);
    for (const t of ["{{ i / 2 }}", "{{ i | string }}", "{% for x in y %}", "{{ f(i) }}", "{{ i.real }}"]) {
      expect(() => renderTemplate(t, vars), t).toThrow(UnsupportedFeatureError);
    }
  });
});

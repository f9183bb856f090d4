/**
 * The explorer's server (scripts/explorer.mjs) serves only regular files inside its folders
 * — no symlink out of the data folder — and lets other origins read them only when `--cors`
 * names them, so a page the user visits while it runs cannot read the served files.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExplorerServer, startExplorer } from "./helpers/explorer-server.js";
import { repoRoot } from "./helpers/paths.js";

const root = mkdtempSync(join(tmpdir(), "vzarr-explorer-srv-"));
const data = join(root, "data");
const bundle = join(repoRoot, "dist", "browser");

describe("explorer server", () => {
  let plain: ExplorerServer;
  let widened: ExplorerServer;
  beforeAll(async () => {
    mkdirSync(join(data, "sub"), { recursive: true });
    writeFileSync(join(data, "a.nc"), "CDF\x01data");
    writeFileSync(join(root, "secret.txt"), "not for you");
    symlinkSync(join(root, "secret.txt"), join(data, "leak.nc"));
    symlinkSync(root, join(data, "sub", "up"));
    symlinkSync(join(data, "a.nc"), join(data, "alias.nc")); // stays inside: served
    plain = await startExplorer(bundle, data);
    widened = await startExplorer(bundle, data, ["--cors", "http://allowed.example"]);
  }, 30_000);
  afterAll(async () => {
    await plain?.close();
    await widened?.close();
  });

  it("serves only regular files inside the data folder: symlinks out of it are not found", async () => {
    expect(await (await fetch(`${plain.url}data/a.nc`)).text()).toBe("CDF\x01data");
    expect(await (await fetch(`${plain.url}data/alias.nc`)).text()).toBe("CDF\x01data");
    for (const path of ["data/leak.nc", "data/sub/up/secret.txt", "data/../secret.txt", "data/%2e%2e/secret.txt", "data/sub"]) {
      const r = await fetch(`${plain.url}${path}`);
      expect(r.status, path).toBe(404);
      expect(await r.text(), path).not.toContain("not for you");
    }
  });

  it("answers other origins without CORS unless --cors names them", async () => {
    const from = (server: ExplorerServer, origin: string) => fetch(`${server.url}data/a.nc`, { headers: { Origin: origin } });
    expect((await from(plain, "http://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    expect((await from(widened, "http://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
    expect((await from(widened, "http://allowed.example")).headers.get("access-control-allow-origin")).toBe("http://allowed.example");
  });
});

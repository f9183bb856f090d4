/**
 * The explorer as users start it (`scripts/explorer.mjs`), serving a bundle freshly built
 * from the sources into a temp dir (`scripts/build-browser.mjs --outdir`), so the tests never
 * run a stale `dist/browser`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./paths.js";

const run = promisify(execFile);

/** Builds the browser bundle into a new temp dir; returns the dir and the build's report. */
export async function buildBundle(): Promise<{ dir: string; report: string; remove(): void }> {
  const dir = join(mkdtempSync(join(tmpdir(), "vzarr-bundle-")), "browser");
  const { stderr } = await run(process.execPath, [join(repoRoot, "scripts/build-browser.mjs"), "--outdir", dir], { timeout: 120_000 });
  return { dir, report: stderr, remove: () => rmSync(join(dir, ".."), { recursive: true, force: true }) };
}

export interface ExplorerServer {
  url: string;
  close(): Promise<void>;
}

export async function startExplorer(bundle: string, data?: string, extra: readonly string[] = []): Promise<ExplorerServer> {
  const args = [
    join(repoRoot, "scripts/explorer.mjs"),
    "--port",
    "0",
    "--bundle",
    bundle,
    ...(data === undefined ? [] : ["--data", data]),
    ...extra,
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`explorer server did not start: ${err}`)), 20_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /vzarr explorer: (http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`explorer server exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

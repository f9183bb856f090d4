/**
 * Proves that the tools of a task produced equivalent results, from their first runs, before
 * any time is compared: the same chunk references (canonical dumps compared by
 * bench/compare/py/verify_refs.py), outputs that hold the dataset's references (checked by
 * Python independently and by vzarr's readers in full), the same values (digests, or decoded
 * GRIB values within packing precision). A failed check marks that tool's comparison invalid;
 * it is reported, never hidden.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runChild } from "./child.mjs";

/** @typedef {{ valid: boolean; problems: string[]; notes: string[] }} Verdict */

/**
 * @param {import("./config.mjs").Config} cfg
 * @param {string[]} args
 * @returns {Promise<Verdict & Record<string, unknown>>}
 */
function python(cfg, args) {
  return new Promise((resolve) => {
    const child = spawn(cfg.python, [join(cfg.repo, "bench/compare/py/verify_refs.py"), ...args], {
      env: { ...process.env, RUST_LOG: "error" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0 && last.startsWith("{")) {
        const v = JSON.parse(last);
        resolve({ notes: [], ...v });
      } else {
        resolve({ valid: false, problems: [`verifier failed (${args[0]}): ${err.trim().split("\n").slice(-4).join(" | ")}`], notes: [] });
      }
    });
  });
}

/** @param {Verdict[]} verdicts @returns {Verdict} */
function all(verdicts) {
  return {
    valid: verdicts.every((v) => v.valid),
    problems: verdicts.flatMap((v) => v.problems),
    notes: verdicts.flatMap((v) => v.notes ?? []),
  };
}

/**
 * @param {import("./config.mjs").Config} cfg
 * @param {import("./tasks.mjs").Task} task
 * @param {Map<string, import("./child.mjs").Measurement>} first first run of each entry (failed entries absent)
 * @param {{ dumps: string; work: string; npy: string }} dirs
 * @returns {Promise<Map<string, Verdict>>}
 */
export async function verifyTask(cfg, task, first, dirs) {
  /** @type {Map<string, Verdict>} */
  const verdicts = new Map();
  const v = task.verify;
  for (const entry of task.entries) {
    const run = first.get(entry.key);
    if (run === undefined) {
      verdicts.set(entry.key, { valid: false, problems: ["the first run failed"], notes: [] });
      continue;
    }
    if (v.kind === "refs") {
      if (entry.key === task.reference) {
        verdicts.set(entry.key, { valid: true, problems: [], notes: ["reference for the comparison"] });
        continue;
      }
      if (!first.has(task.reference)) {
        verdicts.set(entry.key, { valid: false, problems: ["no reference run to compare with"], notes: [] });
        continue;
      }
      const args = ["compare", join(dirs.dumps, task.reference), join(dirs.dumps, entry.key), v.mode];
      if (v.variables) args.push(v.variables.join(","));
      verdicts.set(entry.key, await python(cfg, args));
    } else if (v.kind === "outputs") {
      const out = /** @type {string} */ (entry.args.out);
      const synthetic = join(dirs.work, "synthetic.json");
      writeFileSync(synthetic, JSON.stringify(entry.args.synthetic));
      const independent = await python(cfg, [v.format === "icechunk" ? "icechunk-sample" : `kerchunk-${v.format}`, synthetic, out]);
      // Every reference, read back by vzarr's own reader (proven against kerchunk/VirtualiZarr outputs in the tests).
      const dump = join(dirs.dumps, `${entry.key}-readback`);
      const back = await runChild(cfg, dirs.work, "vzarr-native", "vzarr.index", { path: out, dump });
      const full = back.ok
        ? await python(cfg, ["formula", synthetic, dump])
        : { valid: false, problems: [`vzarr could not read the output back: ${back.error}`], notes: [] };
      verdicts.set(entry.key, all([independent, full]));
    } else if (v.kind === "digest") {
      const got = run.info?.digest;
      verdicts.set(
        entry.key,
        got === v.expected
          ? { valid: true, problems: [], notes: [] }
          : {
              valid: false,
              problems: [`values differ from the oracle (sha256 ${String(got).slice(0, 12)}… vs ${v.expected.slice(0, 12)}…)`],
              notes: [],
            },
      );
    } else if (v.kind === "values") {
      if (entry.key === v.oracle) {
        verdicts.set(entry.key, { valid: true, problems: [], notes: ["oracle"] });
        continue;
      }
      verdicts.set(
        entry.key,
        await python(cfg, ["values", join(dirs.npy, `${v.oracle}.npy`), join(dirs.npy, `${entry.key}.npy`), String(v.tolerance)]),
      );
    }
  }
  return verdicts;
}

/**
 * A later run must give what the verified first run gave (digests are checked on every run).
 * @param {import("./tasks.mjs").Task} task
 * @param {import("./child.mjs").Measurement} run
 */
export function laterRunProblem(task, run) {
  if (task.verify.kind === "digest" && run.info?.digest !== task.verify.expected) return "a later run read different values";
  return undefined;
}

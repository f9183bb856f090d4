#!/usr/bin/env node
/**
 * Node mutation harness (docs/fuzzing.md): mutates the fixtures of every input kind (bit
 * flips, truncation, splices, length-field inflation; scripts/fuzz/mutate.mjs) and runs
 * openVirtualDataset + readArray on each, per backend, in child processes with a time and a
 * memory limit. Every input is classified:
 *
 *   ok         opened and read
 *   tagged     a VzarrError other than Internal (CorruptFile, UnsupportedFeature, ...)
 *   untagged   anything else that was thrown (or Internal)           → finding
 *   crash      the child died (V8 fatal error, abort, signal)        → finding
 *   hang       no answer within --timeout-ms                         → finding
 *   alloc      peak memory above 4 x input + declared output + slack → finding
 *
 * Deterministic: input i of kind K is the mutation of seed file (i mod files) with seed
 * `seed + i`. Findings (with the mutated bytes) go to --out; exit status 1 if any.
 *
 *   node scripts/fuzz-node.mjs [--count N] [--seed S] [--kinds a,b] [--backends native,wasm]
 *       [--timeout-ms MS] [--jobs J] [--out DIR] [--quiet] [--log]
 *   node scripts/fuzz-node.mjs --replay OUT/findings/NAME.json     (one finding again)
 *   node scripts/fuzz-node.mjs --inputs test/fixtures/fuzz          (the saved findings, as they are)
 */
import { fork } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join, relative } from "node:path";
import { KINDS, prepareSeeds, ROOT } from "./fuzz/inputs.mjs";
import { mutateBytes } from "./fuzz/mutate.mjs";

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(" ")
    .split(/\s*--/)
    .filter(Boolean)
    .map((a) => {
      const [k, ...v] = a.split(/\s+/);
      return [k, v.length === 0 ? "true" : v.join(" ")];
    }),
);
const count = Number(args.count ?? 200);
const seed0 = Number(args.seed ?? 1);
const kinds = (args.kinds ?? Object.keys(KINDS).join(",")).split(",");
const backends = (args.backends ?? "native,wasm").split(",");
const timeoutMs = Number(args["timeout-ms"] ?? 20000);
const jobs = Number(args.jobs ?? 1);
const out = args.out ?? join(tmpdir(), "vzarr-fuzz");
const quiet = args.quiet === "true";
/** --log: every input's outcome to results.jsonl (for looking at what the tagged errors say). */
const log = args.log === "true";
/** Memory a process may take beyond its inputs: V8 heap growth, code, the wasm module. */
const SLACK = 96 * 1024 * 1024;
/** Any child above this is killed at once (an allocation no input here can need). */
const HARD_LIMIT = 3 * 1024 * 1024 * 1024;

for (const k of kinds) if (!(k in KINDS)) throw new Error(`unknown kind ${k}; kinds: ${Object.keys(KINDS).join(", ")}`);
mkdirSync(join(out, "findings"), { recursive: true });
rmSync(join(out, "results.jsonl"), { force: true });
const seeds = prepareSeeds(join(out, "seeds"));

/** The queue: every (backend, kind, index), or the one input of --replay FINDING.json. */
const tasks = [];
if (args.inputs !== undefined) {
  // saved findings: NAME.json next to NAME.bin, as --out/findings holds them (base paths relative to the repository)
  for (const name of readdirSync(args.inputs)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    const f = JSON.parse(readFileSync(join(args.inputs, name), "utf8"));
    for (const backend of backends) {
      tasks.push({
        backend,
        kind: f.kind,
        index: 0,
        seed: f.seed,
        base: resolveBase(f.base),
        target: f.target,
        saved: join(args.inputs, name.replace(/\.json$/, ".bin")),
      });
    }
  }
} else if (args.replay !== undefined) {
  const f = JSON.parse(readFileSync(args.replay, "utf8"));
  tasks.push({ backend: f.backend, kind: f.kind, index: 0, seed: f.seed, base: resolveBase(f.base), target: f.target });
  backends.splice(0, backends.length, f.backend);
} else {
  // kinds interleaved, so a run stopped early has covered them all alike
  for (const backend of backends)
    for (let i = 0; i < count; i++)
      for (const kind of kinds) {
        const files = seeds[kind];
        const s = files[i % files.length];
        tasks.push({ backend, kind, index: i, seed: seed0 + i, base: s.base, target: s.target });
      }
}

/** Finding files name their seed file relative to the repository, or `seeds:NAME` for a generated reference set. */
function portable(base) {
  return base.startsWith(ROOT) ? relative(ROOT, base) : `seeds:${basename(base)}`;
}
function resolveBase(base) {
  if (base.startsWith("seeds:")) return join(out, "seeds", base.slice(6));
  return isAbsolute(base) ? base : join(ROOT, base);
}

const counts = {};
const findings = [];
const started = Date.now();
let done = 0;

function record(task, outcome, message, extra = {}) {
  const key = `${task.backend}\t${task.kind}`;
  counts[key] ??= { ok: 0, tagged: 0, untagged: 0, crash: 0, hang: 0, alloc: 0 };
  counts[key][outcome]++;
  done++;
  if (log)
    writeFileSync(
      join(out, "results.jsonl"),
      `${JSON.stringify({ backend: task.backend, kind: task.kind, seed: task.seed, outcome, message })}\n`,
      { flag: "a" },
    );
  if (outcome !== "ok" && outcome !== "tagged") {
    const name = `${task.backend}-${task.kind}-${task.seed}`;
    const source = task.target === undefined ? task.base : join(task.base, task.target);
    writeFileSync(
      join(out, "findings", `${name}.bin`),
      task.saved === undefined ? mutateBytes(readFileSync(source), task.seed) : readFileSync(task.saved),
    );
    const f = {
      outcome,
      backend: task.backend,
      kind: task.kind,
      seed: task.seed,
      base: portable(task.base),
      target: task.target,
      message,
      ...extra,
    };
    findings.push(f);
    writeFileSync(join(out, "findings", `${name}.json`), `${JSON.stringify(f, null, 2)}\n`);
    if (!quiet) console.log(`FINDING ${outcome} ${task.backend} ${task.kind} seed ${task.seed}: ${message}`);
  }
  if (done % 500 === 0) {
    // a long run can be stopped at any time: the counts so far are on disk
    writeSummary();
    if (!quiet) console.log(`${done}/${tasks.length} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

function writeSummary() {
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(
    join(out, "summary.json"),
    `${JSON.stringify({ seed: seed0, count, inputs: done, of: tasks.length, seconds, counts, findings }, null, 2)}\n`,
  );
}

/** One child per lane; a lane takes the next task of its backend. */
function lane(backend, queue, id) {
  return new Promise((resolve) => {
    let child;
    let current;
    let timer;
    let poll;
    let stderr = "";
    const work = join(out, "work", `${backend}-${id}`);
    const start = () => {
      stderr = "";
      child = fork(new URL("./fuzz/worker.mjs", import.meta.url).pathname, [], {
        env: { ...process.env, VZARR_BACKEND: backend, VZARR_FUZZ_WORK: work },
        execArgv: ["--max-old-space-size=2048"],
        stdio: ["ignore", "ignore", "pipe", "ipc"],
      });
      child.stderr.on("data", (d) => {
        stderr = (stderr + d).slice(-2000);
      });
      child.on("message", (m) => {
        if (m.ready) return next();
        clearTimeout(timer);
        const allowed = 4 * m.inputSize + m.declared + SLACK;
        if (args.replay !== undefined) console.log(JSON.stringify(m, null, 2));
        if (m.peak > allowed)
          record(current, "alloc", `peak ${m.peak} bytes > ${allowed} allowed (${m.message || m.outcome})`, { peak: m.peak });
        else record(current, m.outcome, m.message);
        current = undefined;
        next();
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        clearInterval(poll);
        if (child.fuzzKilled === undefined && current !== undefined) {
          record(current, "crash", `exit ${code} signal ${signal}: ${stderr.replace(/\s+/g, " ").slice(0, 400)}`);
          current = undefined;
        }
        if (queue.length > 0) start();
        else resolve();
      });
      poll = setInterval(() => {
        try {
          const rss = Number(readFileSync(`/proc/${child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) * 1024;
          if (rss > HARD_LIMIT && current !== undefined) kill("alloc", `resident ${rss} bytes`);
        } catch {}
      }, 100);
    };
    const kill = (outcome, message) => {
      record(current, outcome, message);
      current = undefined;
      child.fuzzKilled = true;
      child.kill("SIGKILL");
    };
    const next = () => {
      current = queue.shift();
      if (current === undefined) {
        child.fuzzKilled = true;
        child.kill();
        return;
      }
      timer = setTimeout(() => kill("hang", `no answer in ${timeoutMs} ms`), timeoutMs);
      child.send(current);
    };
    start();
  });
}

const lanes = [];
for (const backend of backends) {
  const queue = tasks.filter((t) => t.backend === backend);
  for (let j = 0; j < jobs; j++) lanes.push(lane(backend, queue, j));
}
await Promise.all(lanes);
rmSync(join(out, "work"), { recursive: true, force: true });

const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`fuzz-node: ${tasks.length} inputs in ${seconds} s (seed ${seed0}, ${count} per kind and backend)`);
console.log("backend\tkind\tok\ttagged\tuntagged\tcrash\thang\talloc");
for (const [key, c] of Object.entries(counts).sort())
  console.log(`${key}\t${c.ok}\t${c.tagged}\t${c.untagged}\t${c.crash}\t${c.hang}\t${c.alloc}`);
writeSummary();
if (findings.length > 0) {
  console.log(`${findings.length} findings in ${join(out, "findings")}`);
  process.exit(1);
}

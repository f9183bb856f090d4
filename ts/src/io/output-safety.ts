/**
 * Outputs never destroy data (Node): an output is refused when it would replace one of the
 * inputs, or something already there unless the caller said `overwrite`; and it is written
 * under a temporary name beside its destination and renamed into place, so a run that fails
 * leaves the previous output (or nothing) where it was.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ConflictError, InvalidArgumentError } from "../errors/vzarr-error.js";
import { isLocalInput } from "./url-scheme.js";

/** The real absolute path of a local input (symlinks resolved where the path exists). */
function realLocal(input: string): string | undefined {
  if (!isLocalInput(input)) return undefined;
  const path = input.startsWith("file://") ? fileURLToPath(input) : resolve(input);
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

export interface OutputCheck {
  /** Files the output must not replace: the inputs and the files the dataset references. */
  inputs: Iterable<string>;
  /** Replace what is there (never an input). */
  overwrite: boolean;
  /** What exists at the output that the format writes into on purpose (an Icechunk repository to commit to). */
  acceptExisting?: (path: string) => boolean;
}

/** Refuses an output that would replace an input or existing data; returns its real path. */
export function checkOutput(output: string, check: OutputCheck): string {
  const target = realLocal(output);
  if (target === undefined) return output; // remote outputs (an Icechunk repository on S3) are versioned stores
  for (const input of check.inputs) {
    const source = realLocal(input);
    if (source === undefined) continue;
    if (source === target || inside(source, target)) {
      throw new InvalidArgumentError(
        `refusing to write ${output}: it ${source === target ? "is" : "contains"} the input ${input}; choose another output path`,
        { file: output },
      );
    }
  }
  if (!existsSync(target) || check.acceptExisting?.(target) === true) return target;
  const isEmptyDir = statSync(target).isDirectory() && readdirSync(target).length === 0;
  if (!isEmptyDir && !check.overwrite) {
    throw new ConflictError(`${output} already exists; pass --overwrite (the library's \`overwrite: true\`) to replace it`, {
      file: output,
    });
  }
  return target;
}

/**
 * Writes through `write` into a temporary path beside `target` and renames it into place.
 * An existing `target` is moved aside first and removed only once the new one is there.
 */
export async function replaceAtomically<T>(target: string, write: (temporary: string) => Promise<T>): Promise<T> {
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const temporary = join(dirname(target), `.${basename(target)}.tmp-${tag}`);
  let result: T;
  try {
    result = await write(temporary);
  } catch (e) {
    await rm(temporary, { recursive: true, force: true });
    throw e;
  }
  if (!existsSync(target)) {
    await rename(temporary, target);
    return result;
  }
  if (!statSync(target).isDirectory() && !statSync(temporary).isDirectory()) {
    await rename(temporary, target); // a file over a file: one atomic rename
    return result;
  }
  const aside = join(dirname(target), `.${basename(target)}.old-${tag}`);
  await rename(target, aside);
  try {
    await rename(temporary, target);
  } catch (e) {
    await rename(aside, target);
    throw e;
  }
  await rm(aside, { recursive: true, force: true });
  return result;
}

/** A small argv parser: positionals, `--flag`, `--key value`, `--key=value`, `-o value`. */
import { InvalidArgumentError } from "../errors/vzarr-error.js";

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
  /** Values of repeatable options (`--allow A --allow B`), in order. */
  lists: Map<string, string[]>;
}

export interface ArgSpec {
  /** Options that take a value (long names without dashes; `o` for `-o`). */
  values: readonly string[];
  /** Options that are plain switches. */
  flags: readonly string[];
  /** Short aliases: `{ o: "output" }`. */
  aliases?: Readonly<Record<string, string>>;
  /** Options that take a value and may be repeated. */
  lists?: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = spec.aliases?.[rawName] ?? rawName;
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new InvalidArgumentError(`option --${name} takes no value`);
      options.set(name, true);
    } else if (spec.lists?.includes(name)) {
      const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new InvalidArgumentError(`option --${name} needs a value`);
      lists.set(name, [...(lists.get(name) ?? []), value]);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? body.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new InvalidArgumentError(`option --${name} needs a value`);
      options.set(name, value);
    } else {
      throw new InvalidArgumentError(`unknown option ${arg}`);
    }
  }
  return { positionals, options, lists };
}

/** A repeatable option's values, or undefined when it was not given. */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  return args.lists.get(name);
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === "string" ? v : undefined;
}

/**
 * Tagged errors. The Rust core reports failures as `{kind, message, file?, variable?, offset?}`;
 * every kind has its own class here so callers can `catch (e) { if (e instanceof
 * CorruptFileError) ... }` or switch on the stable `kind` string.
 */

export type ErrorKind =
  | "InvalidArgument"
  | "UnsupportedFeature"
  | "CorruptFile"
  | "NotFound"
  | "IncompatibleArrays"
  | "Io"
  | "SourceChanged"
  | "Conflict"
  | "LimitExceeded"
  | "NotAllowed"
  | "Internal";

export interface ErrorContext {
  file?: string;
  variable?: string;
  offset?: number;
  cause?: unknown;
}

export class VzarrError extends Error {
  readonly kind: ErrorKind;
  /** The message without the file/variable/offset suffix. */
  readonly reason: string;
  readonly file?: string;
  readonly variable?: string;
  readonly offset?: number;

  constructor(kind: ErrorKind, message: string, context: ErrorContext = {}) {
    super(describe(message, context), context.cause === undefined ? undefined : { cause: context.cause });
    this.name = `${kind}Error`;
    this.kind = kind;
    this.reason = message;
    this.file = context.file;
    this.variable = context.variable;
    this.offset = context.offset;
  }
}

function describe(message: string, { file, variable, offset }: ErrorContext): string {
  const where = [
    file === undefined ? undefined : `file ${file}`,
    variable === undefined ? undefined : `variable ${variable}`,
    offset === undefined ? undefined : `offset ${offset}`,
  ].filter((part) => part !== undefined);
  return where.length === 0 ? message : `${message} (${where.join(", ")})`;
}

export class InvalidArgumentError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("InvalidArgument", message, context);
  }
}
export class UnsupportedFeatureError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("UnsupportedFeature", message, context);
  }
}
export class CorruptFileError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("CorruptFile", message, context);
  }
}
export class NotFoundError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("NotFound", message, context);
  }
}
export class IncompatibleArraysError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("IncompatibleArrays", message, context);
  }
}
export class IoError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("Io", message, context);
  }
}
export class SourceChangedError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("SourceChanged", message, context);
  }
}
export class ConflictError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("Conflict", message, context);
  }
}
export class LimitExceededError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("LimitExceeded", message, context);
  }
}

/** A read outside the allowed URL prefixes was refused (never attempted). */
export class NotAllowedError extends VzarrError {
  constructor(message: string, context?: ErrorContext) {
    super("NotAllowed", message, context);
  }
}

const classes: Record<ErrorKind, new (message: string, context?: ErrorContext) => VzarrError> = {
  InvalidArgument: InvalidArgumentError,
  UnsupportedFeature: UnsupportedFeatureError,
  CorruptFile: CorruptFileError,
  NotFound: NotFoundError,
  IncompatibleArrays: IncompatibleArraysError,
  Io: IoError,
  SourceChanged: SourceChangedError,
  Conflict: ConflictError,
  LimitExceeded: LimitExceededError,
  NotAllowed: NotAllowedError,
  Internal: class InternalError extends VzarrError {
    constructor(message: string, context?: ErrorContext) {
      super("Internal", message, context);
    }
  },
};

/**
 * `e` with the file and variable it happened in, where it does not name them already (a
 * codec knows the bytes it failed on, not whose they were). Other errors pass unchanged.
 */
export function withContext(e: unknown, context: { file?: string; variable?: string }): unknown {
  if (!(e instanceof VzarrError)) return e;
  const file = e.file ?? context.file;
  const variable = e.variable ?? context.variable;
  if (file === e.file && variable === e.variable) return e;
  return makeError(e.kind, e.reason, { file, variable, offset: e.offset, cause: e.cause });
}

/** Builds the error class for `kind` (unknown kinds become `Internal`). */
export function makeError(kind: string, message: string, context?: ErrorContext): VzarrError {
  const cls = classes[kind as ErrorKind] ?? classes.Internal;
  return new cls(message, context);
}

/** Parses the core's tagged JSON (`{"kind":..,"message":..}`) into an error. */
export function errorFromCoreJson(text: string): VzarrError {
  try {
    const e = JSON.parse(text) as { kind: string; message: string; file?: string; variable?: string; offset?: number };
    return makeError(e.kind, e.message, { file: e.file, variable: e.variable, offset: e.offset });
  } catch {
    return makeError("Internal", `unreadable error from the core: ${text}`);
  }
}

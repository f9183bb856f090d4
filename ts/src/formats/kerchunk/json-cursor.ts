/**
 * A forward-only JSON tokenizer over UTF-8 bytes. Reference files hold millions of entries
 * and can exceed the longest string V8 allows (~512 MiB), so they are read as bytes: keys,
 * numbers and URLs are taken straight from the buffer and only decoded when needed.
 * Every malformed input raises a `CorruptFileError` with the byte offset.
 */
import { CorruptFileError } from "../../errors/vzarr-error.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const utf8 = new TextDecoder("utf-8", { fatal: false });

/** A string literal's content, `[start, end)` inside the buffer (quotes excluded). */
export interface StringSpan {
  start: number;
  end: number;
  /** True when the literal has backslash escapes (then the raw bytes are not the value). */
  escaped: boolean;
}

export class JsonCursor {
  pos = 0;

  constructor(
    readonly buf: Uint8Array,
    /** Named in error messages. */
    readonly file: string | undefined,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new CorruptFileError(`invalid reference JSON: ${message}`, { file: this.file, offset: at });
  }

  /** Skips whitespace and returns the next byte (-1 at the end). */
  peek(): number {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p] as number;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
    return p < b.length ? (b[p] as number) : -1;
  }

  expect(byte: number): void {
    if (this.peek() !== byte) this.fail(`expected '${String.fromCharCode(byte)}'${this.found()}`);
    this.pos++;
  }

  /** Consumes `byte` if it is next. */
  accept(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.pos++;
    return true;
  }

  /** After a member or element: true if a comma follows, false at `close`. */
  separator(close: number): boolean {
    const c = this.peek();
    if (c === 0x2c) {
      this.pos++;
      return true;
    }
    if (c === close) {
      this.pos++;
      return false;
    }
    return this.fail(`expected ',' or '${String.fromCharCode(close)}'${this.found()}`);
  }

  found(): string {
    if (this.pos >= this.buf.length) return " but the text ends (truncated?)";
    const c = this.buf[this.pos] as number;
    return c >= 0x20 && c < 0x7f ? ` but found '${String.fromCharCode(c)}'` : ` but found byte 0x${c.toString(16)}`;
  }

  /** Reads a string literal, returning where its content lies. */
  string(): StringSpan {
    if (this.peek() !== QUOTE) this.fail(`expected a string${this.found()}`);
    const b = this.buf;
    const start = this.pos + 1;
    let p = start;
    let escaped = false;
    for (;;) {
      if (p >= b.length) this.fail("unterminated string", start - 1);
      const c = b[p] as number;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
      } else p++;
    }
    this.pos = p + 1;
    return { start, end: p, escaped };
  }

  /** The value of a string literal. */
  text(span: StringSpan): string {
    if (!span.escaped) return utf8.decode(this.buf.subarray(span.start, span.end));
    try {
      return JSON.parse(utf8.decode(this.buf.subarray(span.start - 1, span.end + 1))) as string;
    } catch {
      return this.fail("invalid escape in string", span.start);
    }
  }

  /** The UTF-8 bytes of a string literal's value (a view when it has no escapes). */
  bytes(span: StringSpan): Uint8Array {
    if (!span.escaped) return this.buf.subarray(span.start, span.end);
    return new TextEncoder().encode(this.text(span));
  }

  /**
   * The value bytes of a string whose only escapes are `\/` (what ujson writes for every
   * slash), copied into `scratch`; `undefined` when other escapes need a full decode.
   */
  unescapeSlashes(span: StringSpan, scratch: Uint8Array): Uint8Array | undefined {
    const b = this.buf;
    if (span.end - span.start > scratch.length) return undefined;
    let n = 0;
    for (let p = span.start; p < span.end; p++) {
      let c = b[p] as number;
      if (c === BACKSLASH) {
        if (b[p + 1] !== 0x2f) return undefined;
        c = 0x2f;
        p++;
      }
      scratch[n++] = c;
    }
    return scratch.subarray(0, n);
  }

  /** A non-negative integer (offsets, lengths): exact up to 2^53. */
  unsignedInteger(what: string): number {
    this.peek();
    const b = this.buf;
    const start = this.pos;
    let p = start;
    let value = 0;
    while (p < b.length) {
      const c = (b[p] as number) - 0x30;
      if (c < 0 || c > 9) break;
      value = value * 10 + c;
      p++;
    }
    const next = p < b.length ? (b[p] as number) : -1;
    if (p === start || next === 0x2e || next === 0x65 || next === 0x45) {
      // Not a plain run of digits: accept `12.0` / `1e3` if they denote an integer.
      this.pos = start;
      const n = this.number();
      if (!Number.isSafeInteger(n) || n < 0) this.fail(`${what} must be a non-negative integer, got ${n}`, start);
      return n;
    }
    if (!Number.isSafeInteger(value)) this.fail(`${what} ${utf8.decode(b.subarray(start, p))} is larger than 2^53`, start);
    this.pos = p;
    return value;
  }

  /** Any JSON number. */
  number(): number {
    this.peek();
    const b = this.buf;
    const start = this.pos;
    let p = start;
    while (p < b.length) {
      const c = b[p] as number;
      // digits, sign, decimal point, exponent
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) p++;
      else break;
    }
    const n = p === start ? Number.NaN : Number(utf8.decode(b.subarray(start, p)));
    if (Number.isNaN(n)) this.fail(`expected a number${this.found()}`);
    this.pos = p;
    return n;
  }

  /** Consumes `null` if it is next. */
  acceptNull(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (this.peek() === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c) {
      this.pos += 4;
      return true;
    }
    return false;
  }

  /** Skips one value of any kind and returns where it started. */
  skipValue(): number {
    const start = this.pos;
    const c = this.peek();
    const b = this.buf;
    if (c === QUOTE) {
      this.string();
      return start;
    }
    if (c !== 0x7b && c !== 0x5b) {
      // number, true, false, null, NaN, Infinity: up to the next delimiter
      let p = this.pos;
      while (p < b.length) {
        const d = b[p] as number;
        if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
        p++;
      }
      if (p === this.pos) this.fail(`expected a value${this.found()}`);
      this.pos = p;
      return start;
    }
    let depth = 0;
    let p = this.pos;
    while (p < b.length) {
      const d = b[p] as number;
      if (d === QUOTE) {
        this.pos = p;
        this.string();
        p = this.pos;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) {
          this.pos = p + 1;
          return start;
        }
      }
      p++;
    }
    return this.fail("unterminated object or array", start);
  }

  /** The source text of `[start, pos)`. */
  slice(start: number): string {
    return utf8.decode(this.buf.subarray(start, this.pos));
  }
}

/** True when `buf[aStart, aEnd)` equals `buf[bStart, bEnd)`. */
export function sameBytes(buf: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (buf[aStart + i] !== buf[bStart + i]) return false;
  return true;
}

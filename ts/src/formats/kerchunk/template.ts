/**
 * The part of Jinja2 that kerchunk reference templates use, without `eval`: text with
 * `{{ expression }}` holes, where an expression is built from names, integer and string
 * literals, parentheses and the operators `+ - * // % **` and `~` (string concatenation).
 * Integers are exact (BigInt) and follow Python's floor-division and modulo rules, so
 * `{{ (i + 1) * 1000 }}` renders as Jinja renders it. Anything else (`/`, filters, `{% %}`
 * blocks) is rejected with an `UnsupportedFeatureError` rather than guessed.
 */
import { CorruptFileError, UnsupportedFeatureError } from "../../errors/vzarr-error.js";

export type TemplateValue = string | bigint;
export type TemplateVariables = ReadonlyMap<string, TemplateValue>;

/** A parsed template: render it with variables. */
export type CompiledTemplate = (vars: TemplateVariables) => string;

type Expr =
  | { kind: "literal"; value: TemplateValue }
  | { kind: "name"; name: string }
  | { kind: "unary"; op: "-" | "+"; arg: Expr }
  | { kind: "binary"; op: string; left: Expr; right: Expr };

/** True when a string has template holes (cheap test before compiling). */
export function hasTemplate(text: string): boolean {
  return text.includes("{{") || text.includes("{%");
}

export function compileTemplate(text: string): CompiledTemplate {
  if (text.includes("{%") || text.includes("{#")) {
    throw new UnsupportedFeatureError(`template ${JSON.stringify(text)} uses Jinja blocks or comments; only {{ expression }} is supported`);
  }
  const parts: (string | Expr)[] = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf("{{", at);
    if (open < 0) break;
    const close = text.indexOf("}}", open + 2);
    if (close < 0) throw new CorruptFileError(`template ${JSON.stringify(text)} has '{{' without '}}'`);
    if (open > at) parts.push(text.slice(at, open));
    parts.push(new ExpressionParser(text.slice(open + 2, close), text).parse());
    at = close + 2;
  }
  if (at < text.length) parts.push(text.slice(at));
  if (parts.every((p) => typeof p === "string")) return () => text;
  return (vars) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : String(evaluate(p, vars, text));
    return out;
  };
}

/** Renders once (compile + render). */
export function renderTemplate(text: string, vars: TemplateVariables): string {
  return compileTemplate(text)(vars);
}

function evaluate(e: Expr, vars: TemplateVariables, source: string): TemplateValue {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "name": {
      const v = vars.get(e.name);
      if (v === undefined) throw new CorruptFileError(`template ${JSON.stringify(source)} uses undefined name ${e.name}`);
      return v;
    }
    case "unary": {
      const v = integer(evaluate(e.arg, vars, source), e.op, source);
      return e.op === "-" ? -v : v;
    }
    case "binary":
      return binary(e.op, evaluate(e.left, vars, source), evaluate(e.right, vars, source), source);
  }
}

function binary(op: string, a: TemplateValue, b: TemplateValue, source: string): TemplateValue {
  if (op === "~") return String(a) + String(b);
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  const x = integer(a, op, source);
  const y = integer(b, op, source);
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "**":
      if (y < 0n || y > 256n) throw new UnsupportedFeatureError(`template ${JSON.stringify(source)}: exponent ${y} is out of range`);
      return x ** y;
    case "//":
    case "%": {
      if (y === 0n) throw new CorruptFileError(`template ${JSON.stringify(source)} divides by zero`);
      // Python floors the quotient (BigInt division truncates toward zero).
      let q = x / y;
      if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n;
      return op === "//" ? q : x - q * y;
    }
    default:
      throw new UnsupportedFeatureError(`template ${JSON.stringify(source)}: operator ${op} is not supported`);
  }
}

function integer(v: TemplateValue, op: string, source: string): bigint {
  if (typeof v === "bigint") return v;
  // Jinja would concatenate or fail depending on the operator; integer strings are what gen
  // dimensions given as lists of numbers-in-strings mean.
  if (/^-?\d+$/.test(v)) return BigInt(v);
  throw new UnsupportedFeatureError(`template ${JSON.stringify(source)}: cannot apply ${op} to the string ${JSON.stringify(v)}`);
}

const TOKEN = /\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\*\*|\/\/|[-+*%~()/|.[\]]))/y;

class ExpressionParser {
  private tokens: string[] = [];
  private kinds: ("int" | "name" | "str" | "op")[] = [];
  private i = 0;

  constructor(
    private readonly expr: string,
    private readonly source: string,
  ) {
    TOKEN.lastIndex = 0;
    let at = 0;
    while (at < expr.length) {
      if (/^\s*$/.test(expr.slice(at))) break;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(expr);
      if (m === null) throw this.unsupported(`unexpected text ${JSON.stringify(expr.slice(at).trim())}`);
      at = TOKEN.lastIndex;
      if (m[1] !== undefined) this.push(m[1], "int");
      else if (m[2] !== undefined) this.push(m[2], "name");
      else if (m[3] !== undefined) this.push(m[3], "str");
      else this.push(m[4] as string, "op");
    }
  }

  private push(token: string, kind: "int" | "name" | "str" | "op"): void {
    this.tokens.push(token);
    this.kinds.push(kind);
  }

  private unsupported(why: string): UnsupportedFeatureError {
    return new UnsupportedFeatureError(
      `template ${JSON.stringify(this.source)}: ${why}; only names, integers, strings, parentheses and + - * // % ** ~ are supported`,
    );
  }

  parse(): Expr {
    if (this.tokens.length === 0) throw this.unsupported("empty {{ }}");
    const e = this.sum();
    if (this.i < this.tokens.length) throw this.unsupported(`unexpected ${JSON.stringify(this.tokens[this.i])}`);
    return e;
  }

  private peekOp(...ops: string[]): string | undefined {
    const t = this.tokens[this.i];
    return this.kinds[this.i] === "op" && t !== undefined && ops.includes(t) ? t : undefined;
  }

  // Precedence as Jinja2's parser: + - < ~ < * // % < ** (left-associative) < unary.
  private sum(): Expr {
    let left = this.concat();
    for (let op = this.peekOp("+", "-"); op !== undefined; op = this.peekOp("+", "-")) {
      this.i++;
      left = { kind: "binary", op, left, right: this.concat() };
    }
    return left;
  }

  private concat(): Expr {
    let left = this.product();
    while (this.peekOp("~") !== undefined) {
      this.i++;
      left = { kind: "binary", op: "~", left, right: this.product() };
    }
    return left;
  }

  private product(): Expr {
    let left = this.power();
    for (let op = this.peekOp("*", "//", "%", "/"); op !== undefined; op = this.peekOp("*", "//", "%", "/")) {
      if (op === "/") throw this.unsupported("'/' is true division (a float in Jinja); use '//'");
      this.i++;
      left = { kind: "binary", op, left, right: this.power() };
    }
    return left;
  }

  private power(): Expr {
    let left = this.unary();
    while (this.peekOp("**") !== undefined) {
      this.i++;
      left = { kind: "binary", op: "**", left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    const op = this.peekOp("-", "+");
    if (op !== undefined) {
      this.i++;
      return { kind: "unary", op: op as "-" | "+", arg: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.tokens[this.i];
    const kind = this.kinds[this.i];
    if (t === undefined) throw this.unsupported(`expression ${JSON.stringify(this.expr.trim())} ends early`);
    this.i++;
    if (kind === "int") return { kind: "literal", value: BigInt(t) };
    if (kind === "name") return { kind: "name", name: t };
    if (kind === "str") return { kind: "literal", value: unquote(t) };
    if (t === "(") {
      const e = this.sum();
      if (this.peekOp(")") === undefined) throw this.unsupported("missing ')'");
      this.i++;
      return e;
    }
    throw this.unsupported(`unexpected ${JSON.stringify(t)}`);
  }
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(.)/g, (_m, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

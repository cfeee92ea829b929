/**
 * Policy errors, rendered like k8s.io/apimachinery field errors
 * (`<path>: <Type>: <value>: <detail>`), prefixed with `<file>:<line>: `.
 */

/** A path segment: a field name or a list index. */
export type Segment = string | number;

/** One problem found in a policy file. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  /** File name as given to the loader. */
  readonly file: string;
  /** Kubernetes field path, e.g. `rules[3].level` (validation errors use Kubernetes' exact paths). */
  readonly path: string;
  /** 1-based line of the offending YAML node (0 when unknown, e.g. an unreadable file). */
  readonly line: number;
  /** The field-error body, e.g. `Unsupported value: "Verbose": supported values: "None", ...`. */
  readonly reason: string;

  constructor(file: string, path: string, line: number, reason: string, message?: string) {
    super(message ?? formatPolicyError(file, path, line, reason));
    this.file = file;
    this.path = path;
    this.line = line;
    this.reason = reason;
  }
}

/**
 * Thrown by the loaders: every problem found, in report order. It is itself a
 * PolicyError whose file/path/line/reason are those of the first problem.
 */
export class PolicyErrors extends PolicyError {
  override name = 'PolicyErrors';
  readonly errors: readonly PolicyError[];

  constructor(errors: readonly PolicyError[]) {
    if (errors.length === 0) throw new TypeError('PolicyErrors needs at least one error');
    const first = errors[0];
    super(first.file, first.path, first.line, first.reason, errors.map((e) => e.message).join('\n'));
    this.errors = Object.freeze([...errors]);
  }
}

/** A non-fatal finding (the API server only logs these), e.g. an unknown field. */
export interface PolicyWarning {
  file: string;
  path: string;
  line: number;
  message: string;
}

export function formatPolicyError(file: string, path: string, line: number, reason: string): string {
  const where = line > 0 ? `${file}:${line}` : file;
  return path === '' ? `${where}: ${reason}` : `${where}: ${path}: ${reason}`;
}

/** Render segments in field.Path syntax: `rules[3].resources[0].group`. */
export function fieldPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/**
 * Approximation of Go's `%q` / strconv.Quote: printable Unicode is kept,
 * ASCII controls become `\xNN`, other non-printable code points `\uNNNN`/`\UNNNNNNNN`.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp >= 0x80 && ch !== ' ' && /^[\p{C}\p{Z}]$/u.test(ch)) {
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** Go's encoding/json.Marshal output (HTML-safe escaping of <, >, & and U+2028/U+2029). */
export function goJSON(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) =>
    '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** Body of field.Invalid / field.TypeInvalid: strings use %q, other values JSON. */
export function invalidBody(value: unknown, detail: string): string {
  return withDetail(`Invalid value: ${renderValue(value)}`, detail);
}

/** Body of field.NotSupported. */
export function notSupportedBody(value: string, supported: readonly string[]): string {
  return withDetail(
    `Unsupported value: ${goQuote(value)}`,
    supported.length > 0 ? 'supported values: ' + supported.map(goQuote).join(', ') : '',
  );
}

/** Body of field.Required. */
export function requiredBody(detail = ''): string {
  return withDetail('Required value', detail);
}

function withDetail(s: string, detail: string): string {
  return detail === '' ? s : `${s}: ${detail}`;
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return goJSON(value);
}

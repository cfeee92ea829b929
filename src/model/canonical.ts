/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Keys are sorted by UTF-16 code
 * units (JavaScript's default string order), numbers and strings are written
 * the way ECMAScript's JSON.stringify writes them, which is what RFC 8785 specifies.
 *
 * This runs once per ingested event (the stored document IS its canonical
 * form, so the integrity layer hashes it without serializing again), so it
 * writes UTF-8 bytes straight into a growing buffer: no intermediate strings
 * to concatenate, flatten and encode. Strings of printable ASCII needing no
 * escape (nearly all of an audit event) are copied a character at a time;
 * any other string goes through JSON.stringify, which escapes as RFC 8785 says.
 */

/** Whether JSON.stringify leaves `v` out of an object (and writes null in an array). */
function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** Sorts a handful of keys in place; insertion sort beats Array#sort at this size. */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
}

const QUOTE = 0x22;
/** Strings longer than this are checked and copied by native code rather than a character at a time. */
const LONG_STRING = 24;
/** Printable ASCII except '"' and '\\': written as they are. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const BACKSLASH = 0x5c;
const ASCII = /^[\x00-\x7f]*$/;

/** An open array (keys undefined) or object (its sorted keys) being written; `i` is the next member. */
interface Frame {
  items: unknown[] | Record<string, unknown>;
  keys: string[] | undefined;
  i: number;
  /** An object member was written (the next one needs a comma). */
  written?: boolean;
}

/** step()'s answer when a container has no more members. */
const DONE = Symbol('done');

/** Appends canonical JSON as UTF-8 to a buffer it grows as needed. */
export class CanonicalWriter {
  buf: Buffer;
  /** Bytes written so far. */
  pos = 0;

  constructor(initialBytes = 1 << 12) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * Writes the canonical JSON of `value`. Throws TypeError for what JSON cannot
   * hold. Iterative (an explicit stack of open containers), so a document of
   * any depth is written without recursion: a verifier re-canonicalizing a
   * stored document deeper than the call stack must not crash.
   */
  value(value: unknown): void {
    if (this.scalar(value)) return;
    const stack: Frame[] = [];
    let top: Frame | undefined = this.open(value as object);
    while (top !== undefined) {
      const next = this.step(top);
      if (next === DONE) {
        this.byte(top.keys === undefined ? 0x5d : 0x7d); // ] or }
        top = stack.pop();
      } else if (!this.scalar(next)) {
        stack.push(top);
        top = this.open(next as object);
      }
    }
  }

  /** Writes a value that is not a container; false (writing nothing) for an object or array. */
  private scalar(value: unknown): boolean {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return true;
      case 'boolean':
        this.ascii(value ? 'true' : 'false');
        return true;
      case 'number':
        if (!Number.isFinite(value)) throw new TypeError('JCS: non-finite number');
        this.ascii(String(value));
        return true;
      case 'object':
        if (value !== null) return false;
        this.ascii('null');
        return true;
      default:
        throw new TypeError(`JCS: cannot serialize ${typeof value}`);
    }
  }

  /** Writes a container's opening bracket; its members come from step(). */
  private open(value: object): Frame {
    if (Array.isArray(value)) {
      this.byte(0x5b); // [
      return { items: value, keys: undefined, i: 0 };
    }
    const keys = Object.keys(value);
    sortKeys(keys);
    this.byte(0x7b); // {
    return { items: value as Record<string, unknown>, keys, i: 0 };
  }

  /** Writes the separator (and, in an object, the name) of the frame's next member and returns its value, or DONE. */
  private step(f: Frame): unknown {
    if (f.keys === undefined) {
      const items = f.items as unknown[];
      if (f.i >= items.length) return DONE;
      if (f.i > 0) this.byte(0x2c); // ,
      const v = items[f.i++];
      return skipped(v) ? null : v;
    }
    const obj = f.items as Record<string, unknown>;
    while (f.i < f.keys.length) {
      const k = f.keys[f.i++];
      const v = obj[k];
      if (skipped(v)) continue;
      if (f.written) this.byte(0x2c);
      f.written = true;
      this.string(k);
      this.byte(0x3a); // :
      return v;
    }
    return DONE;
  }

  private string(s: string): void {
    const n = s.length;
    if (n > LONG_STRING) return this.longString(s);
    this.reserve(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return this.escaped(s);
      buf[p++] = c;
    }
    buf[p++] = QUOTE;
    this.pos = p;
  }

  /** A long string: checked in one regular-expression pass, then copied by native code. */
  private longString(s: string): void {
    if (!PLAIN_ASCII.test(s)) return this.escaped(s);
    const n = s.length;
    this.reserve(n + 2);
    const buf = this.buf;
    buf[this.pos] = QUOTE;
    buf.write(s, this.pos + 1, n, 'latin1');
    buf[this.pos + n + 1] = QUOTE;
    this.pos += n + 2;
  }

  /** Writes a string's UTF-8 as it is (no quotes, no escapes): short ASCII a character at a time, the rest natively. */
  raw(s: string): void {
    const n = s.length;
    this.reserve(3 * n);
    const buf = this.buf;
    const start = this.pos;
    if (n <= LONG_STRING) {
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) {
          this.pos += buf.write(s, start, 'utf8');
          return;
        }
        buf[p++] = c;
      }
      this.pos = p;
      return;
    }
    this.pos += buf.write(s, start, ASCII.test(s) ? 'latin1' : 'utf8');
  }

  /** A string with escapes or non-ASCII: written as JSON.stringify writes it, from the start. */
  private escaped(s: string): void {
    const json = JSON.stringify(s);
    this.reserve(3 * json.length);
    this.pos += this.buf.write(json, this.pos, 'utf8');
  }

  /** Writes a string known to be ASCII (a number, a literal). */
  private ascii(s: string): void {
    this.reserve(s.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }
}

export function canonicalJson(value: unknown): string {
  const w = new CanonicalWriter(256);
  w.value(value);
  return w.buf.toString('utf8', 0, w.pos);
}

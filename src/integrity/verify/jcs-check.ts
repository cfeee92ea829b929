/**
 * Whether stored bytes are an event's RFC 8785 (JCS) canonical JSON, without
 * parsing them into objects: one pass over the bytes, as fast as reading them.
 *
 * The store keeps each event as its canonical JSON and seals exactly those
 * bytes, so verify hashes them as they are. A stored document that hashes to
 * its sealed leaf is the one that was sealed; this check adds that what was
 * sealed is the canonical form of the event it encodes, the bytes anyone
 * else gets from `canonicalJson(JSON.parse(doc))` (an exported event, a
 * proof bundle, RFC 9162 checked by hand).
 *
 * Canonical means, as `canonicalJson` writes it (src/model/canonical.ts):
 *  - a JSON object at the top, without a `vigil` member (Vigil's own fields);
 *  - no whitespace outside strings;
 *  - object members sorted by their names' UTF-16 code units, no name twice;
 *  - strings escaped as ECMAScript's JSON.stringify does: `\"`, `\\`, `\b`,
 *    `\f`, `\n`, `\r`, `\t`, `\u00xx` for the other controls, `\udxxx` for
 *    lone surrogates (lowercase hex), everything else as is;
 *  - numbers as ECMAScript writes them (`String(Number(text)) === text`);
 *  - `true`, `false`, `null`.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** Escapes JSON.stringify writes after a backslash (besides `u`): " \ b f n r t. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const c of '"\\bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;
/** Controls JSON.stringify writes as \b \f \n \r \t rather than \u00xx. */
const SHORT_CONTROL = new Set([0x08, 0x0c, 0x0a, 0x0d, 0x09]);
/** Bytes of a number token. */
const NUMBER_BYTE = new Uint8Array(256);
for (const c of '-+.0123456789eE') NUMBER_BYTE[c.charCodeAt(0)] = 1;

function hex4(b: Uint8Array, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = b[i + k];
    // lowercase hex only: JSON.stringify writes \u001f, not \u001F
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Scans a string whose opening quote is at b[i - 1]. Returns 2·(index after
 * the closing quote) + 1 if the string was ASCII without escapes, + 0 if
 * not; -1 when it is not canonical.
 */
function scanString(b: Uint8Array, i: number, end: number): number {
  let plain = 1;
  while (i < end) {
    const c = b[i];
    if (c === QUOTE) return 2 * (i + 1) + plain;
    if (c < 0x20) return -1;
    if (c < 0x80 && c !== BACKSLASH) {
      i++;
    } else if (c >= 0x80) {
      plain = 0;
      i++;
    } else {
      plain = 0;
      if (i + 1 >= end) return -1;
      if (SHORT_ESCAPE[b[i + 1]]) {
        i += 2;
        continue;
      }
      if (b[i + 1] !== 0x75 || i + 6 > end) return -1; // \u
      const v = hex4(b, i + 2);
      if (v < 0) return -1;
      if (v >= 0xd800 && v <= 0xdbff) {
        // An escaped high surrogate must be lone: followed by no escaped low one.
        if (i + 12 <= end && b[i + 6] === BACKSLASH && b[i + 7] === 0x75) {
          const next = hex4(b, i + 8);
          if (next >= 0xdc00 && next <= 0xdfff) return -1;
        }
      } else if (!(v >= 0xdc00 && v <= 0xdfff) && !(v < 0x20 && !SHORT_CONTROL.has(v))) {
        return -1;
      }
      i += 6;
    }
  }
  return -1;
}

/** Member names (the quoted tokens b[a0, a1) and b[b0, b1)) compared by UTF-16 code units, as canonicalJson sorts them. */
function compareNames(b: Uint8Array, a0: number, a1: number, aPlain: boolean, b0: number, b1: number, bPlain: boolean): number {
  if (aPlain && bPlain) {
    // ASCII: bytes are code units. Compare between the quotes.
    const n = Math.min(a1 - a0, b1 - b0) - 2;
    for (let k = 1; k <= n; k++) {
      const d = b[a0 + k] - b[b0 + k];
      if (d !== 0) return d;
    }
    return a1 - a0 - (b1 - b0);
  }
  const text = (s: number, e: number) => JSON.parse(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8')) as string;
  const x = text(a0, a1);
  const y = text(b0, b1);
  return x < y ? -1 : x > y ? 1 : 0;
}

function isVigil(b: Uint8Array, i: number): boolean {
  return b[i + 1] === 0x76 && b[i + 2] === 0x69 && b[i + 3] === 0x67 && b[i + 4] === 0x69 && b[i + 5] === 0x6c; // "vigil"
}

const VALUE = 0;
const NAME = 1;
const AFTER = 2;

/** Per open container: 1 object, 0 array; for an object, its previous member name (start, end, plain), start -1 before the first. */
let kinds: Int32Array = new Int32Array(64);
let names: Int32Array = new Int32Array(64 * 3);

const fail = (why: string, offset: number) => `${why} at byte ${offset}`;

/**
 * Why b[start, end) is not the canonical JSON of an event, or undefined when
 * it is. (The reason names the byte offset, from `start`, where it stops.)
 */
export function canonicalError(b: Uint8Array, start: number, end: number): string | undefined {
  if (start >= end || b[start] !== LBRACE) return 'not a JSON object';
  let depth = 0;
  let i = start;
  let state = VALUE;
  for (;;) {
    if (i >= end) return depth === 0 && state === AFTER ? undefined : fail('unexpected end', i - start);
    const c = b[i];
    if (state === VALUE) {
      if (c === QUOTE) {
        const e = scanString(b, i + 1, end);
        if (e < 0) return fail('a string not escaped as JSON.stringify does', i - start);
        i = e >> 1;
        state = AFTER;
      } else if (c === LBRACE || c === LBRACKET) {
        if (i + 1 < end && b[i + 1] === c + 2) {
          // {} or []
          i += 2;
          state = AFTER;
          continue;
        }
        if (depth === kinds.length) {
          kinds = grow(kinds, 2 * depth);
          names = grow(names, 6 * depth);
        }
        kinds[depth] = c === LBRACE ? 1 : 0;
        names[3 * depth] = -1;
        depth++;
        i++;
        state = c === LBRACE ? NAME : VALUE;
      } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
        const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
        for (let k = 1; k < word.length; k++) if (i + k >= end || b[i + k] !== word.charCodeAt(k)) return fail('not a JSON value', i - start);
        i += word.length;
        state = AFTER;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        let e = i + 1;
        while (e < end && NUMBER_BYTE[b[e]]) e++;
        const text = Buffer.from(b.buffer, b.byteOffset + i, e - i).toString('latin1');
        if (String(Number(text)) !== text) return fail(`the number ${text} not written as ECMAScript writes it`, i - start);
        i = e;
        state = AFTER;
      } else {
        return fail('not a JSON value (or whitespace)', i - start);
      }
    } else if (state === NAME) {
      if (c !== QUOTE) return fail('not a member name', i - start);
      const r = scanString(b, i + 1, end);
      if (r < 0) return fail('a member name not escaped as JSON.stringify does', i - start);
      const e = r >> 1;
      const plain = (r & 1) === 1;
      const p = 3 * (depth - 1);
      if (names[p] >= 0 && compareNames(b, names[p], names[p + 1], names[p + 2] === 1, i, e, plain) >= 0) {
        return fail('members not sorted by name (or a name twice)', i - start);
      }
      if (depth === 1 && plain && e - i === 7 && isVigil(b, i)) return fail('a top-level "vigil" member', i - start);
      names[p] = i;
      names[p + 1] = e;
      names[p + 2] = plain ? 1 : 0;
      if (e >= end || b[e] !== COLON) return fail('no colon after a member name', e - start);
      i = e + 1;
      state = VALUE;
    } else {
      if (depth === 0) return fail('bytes after the object', i - start);
      const object = kinds[depth - 1] === 1;
      if (c === COMMA) {
        i++;
        state = object ? NAME : VALUE;
      } else if (c === (object ? RBRACE : RBRACKET)) {
        depth--;
        i++;
      } else {
        return fail(`no comma or closing ${object ? 'brace' : 'bracket'}`, i - start);
      }
    }
  }
}

function grow(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  out.set(a);
  return out;
}

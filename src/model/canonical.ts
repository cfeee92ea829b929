/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Keys are sorted by UTF-16 code
 * units (JavaScript's default string order), numbers and strings are written
 * the way ECMAScript's JSON.stringify writes them, which is what RFC 8785 specifies.
 *
 * This runs once per ingested event (the stored document IS its canonical
 * form, so the integrity layer hashes it without serializing again), hence
 * the fast paths: strings that need no escaping are quoted directly instead
 * of going through JSON.stringify, and numbers use Number::toString, which is
 * what JSON.stringify uses for finite numbers.
 */

/** Characters JSON.stringify escapes: '"', '\\', C0 controls, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Whether JSON.stringify leaves `v` out of an object (and writes null in an array). */
function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS: non-finite number');
      return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          out += skipped(v) ? 'null' : canonicalJson(v);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (keys.length > 1) keys.sort();
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const v = obj[k];
        if (skipped(v)) continue;
        if (!first) out += ',';
        first = false;
        out += quote(k) + ':' + canonicalJson(v);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`JCS: cannot serialize ${typeof value}`);
  }
}

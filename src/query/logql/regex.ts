/**
 * LogQL regexes are Go RE2 syntax, and every one a query brings runs in RE2
 * (re2js, a pure-JS port of RE2/J): matching takes time linear in the input,
 * whatever the pattern — `(a+)+$` cannot backtrack the event loop to a halt
 * as a JavaScript RegExp would. Lookarounds and backreferences, which RE2
 * lacks, are refused at parse time, as Loki refuses them.
 */
import { RE2JS } from 're2js';

export class RegexError extends Error {
  override readonly name = 'RegexError';
}

/** A match: groups by number (undefined when a group did not take part) and by name. */
export interface RegexMatch {
  readonly [group: number]: string | undefined;
  readonly index: number;
  readonly groups?: Readonly<Record<string, string | undefined>>;
}

/** A compiled RE2 pattern. */
export interface Regex {
  /** Whether the pattern matches (somewhere in `s`, or all of it when compiled anchored). */
  test(s: string): boolean;
  /** The leftmost match, as Go's FindStringSubmatch finds it. */
  exec(s: string): RegexMatch | null;
  /** Every match replaced: `$1`, `$<name>`, `$$` expand as in String.prototype.replace; a function's result is inserted as it is. */
  replaceAll(s: string, replacement: string | (() => string)): string;
  /** The names of the named groups `(?P<n>…)` / `(?<n>…)`. */
  readonly groupNames: readonly string[];
}

const cache = new Map<string, Regex>();
const CACHE_MAX = 1000;

function wrap(re: RE2JS): Regex {
  return {
    test: (s) => re.test(s),
    exec: (s) => re.exec(s) as RegexMatch | null,
    replaceAll: (s, replacement) => re.matcher(s).replaceAll(replacement),
    groupNames: Object.keys(re.namedGroups()),
  };
}

function compile(source: string, re: string): RE2JS {
  try {
    return RE2JS.compile(source);
  } catch (err) {
    const why = /\(\?<?[=!]/.test(re) ? 'lookarounds are not supported in RE2' : (err as Error).message;
    throw new RegexError(`invalid regex ${JSON.stringify(re)}: ${why}`);
  }
}

/** Compiles an RE2 pattern (cached); `anchored` matches the whole value, as Loki's label matchers do (`^(?:re)$`). */
export function compileRegex(re: string, anchored = false): Regex {
  const key = `${anchored ? 'A' : 'S'}${re}`;
  let out = cache.get(key);
  if (!out) {
    const bare = compile(re, re);
    // Loki anchors the same way; the bare pattern is checked first so `a)|(b` cannot change its meaning.
    out = wrap(anchored ? compile(`^(?:${re})$`, re) : bare);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, out);
  }
  return out;
}

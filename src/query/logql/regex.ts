/**
 * RE2 (what LogQL regexes are) to JavaScript RegExp. Translates named groups
 * `(?P<n>…)` and leading inline flags `(?i)`/`(?s)`/`(?m)`; refuses what JS
 * would read differently (lookarounds and backreferences, which RE2 lacks).
 */
export class RegexError extends Error {
  override readonly name = 'RegexError';
}

const cache = new Map<string, RegExp>();

function translate(re: string): { source: string; flags: string } {
  let source = re;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
    source = source.slice(lead[0].length);
  }
  if (/\(\?<?[=!]/.test(source)) throw new RegexError(`invalid regex ${JSON.stringify(re)}: lookarounds are not supported in RE2`);
  if (/(^|[^\\])\\[1-9]/.test(source)) throw new RegexError(`invalid regex ${JSON.stringify(re)}: backreferences are not supported in RE2`);
  source = source.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])').replace(/\\A/g, '^');
  return { source, flags };
}

/** Compiles an RE2 pattern as JS (cached); `anchored` matches the whole value, as Loki's label matchers do. */
export function compileRegex(re: string, anchored = false): RegExp {
  const key = `${anchored ? 'A' : 'S'}${re}`;
  let out = cache.get(key);
  if (!out) {
    const { source, flags } = translate(re);
    try {
      out = new RegExp(anchored ? `^(?:${source})$` : source, flags + 'u');
    } catch {
      try {
        out = new RegExp(anchored ? `^(?:${source})$` : source, flags);
      } catch (err) {
        throw new RegexError(`invalid regex ${JSON.stringify(re)}: ${(err as Error).message}`);
      }
    }
    if (cache.size > 1000) cache.clear();
    cache.set(key, out);
  }
  return out;
}

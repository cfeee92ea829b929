/**
 * Recovering the checker's request attributes from a recorded audit Event
 * (reference §4): `user` (never `impersonatedUser`), `verb`, `objectRef`, and the
 * path of `requestURI`. Total: any input, however malformed, yields attributes.
 */
import type { RequestAttributes } from './types.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function isNonEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

/** Fresh, empty attributes (a non-resource request without user). */
export function emptyAttributes(): RequestAttributes {
  return {
    user: null,
    verb: '',
    resourceRequest: false,
    namespace: '',
    apiGroup: '',
    resource: '',
    subresource: '',
    name: '',
    path: '',
  };
}

const EMPTY_GROUPS: readonly unknown[] = Object.freeze([]);

/**
 * The URL path of a request-URI: up to the first `?`, percent-decoded as Go's
 * url.URL.Path is (url.ParseRequestURI: `#` is not special). An absolute-form URI
 * (`https://host/p`) yields its path.
 */
export function pathOfRequestURI(uri: string): string {
  let end = uri.length;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c === 63 /* ? */) {
      end = i;
      break;
    }
  }
  let path = end === uri.length ? uri : uri.slice(0, end);
  if (path.charCodeAt(0) !== 47 /* / */) {
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(path);
    if (m) path = path.slice(m[0].length);
  }
  if (path.indexOf('%') < 0) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Attributes of the request an Event records. Pass `into` to reuse an object and
 * its `user` (no allocation besides what decoding a `%`-escaped path needs).
 *
 * - no user: `user` absent or with no username, uid, groups or extra (failed authentication);
 * - resource request: `objectRef` present (an object), even when `resource` is empty;
 * - `create` without subresource: name "" (the API server decided before it knew the name);
 * - core group: `apiGroup` missing or "" alike; cluster-scoped: namespace "".
 */
export function attributesFromEvent(event: unknown, into?: RequestAttributes): RequestAttributes {
  const a = into ?? emptyAttributes();
  const e = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : undefined;
  const u = e?.user;
  if (typeof u === 'object' && u !== null) {
    const user = u as Record<string, unknown>;
    const groups = Array.isArray(user.groups) ? (user.groups as readonly unknown[]) : EMPTY_GROUPS;
    const present =
      isNonEmpty(user.username) || isNonEmpty(user.uid) || groups.length > 0 || isNonEmpty(user.extra);
    if (!present) a.user = null;
    else if (a.user === null) a.user = { name: str(user.username), groups };
    else {
      a.user.name = str(user.username);
      a.user.groups = groups;
    }
  } else {
    a.user = null;
  }
  a.verb = str(e?.verb);
  const ref = e?.objectRef;
  if (typeof ref === 'object' && ref !== null && !Array.isArray(ref)) {
    const o = ref as Record<string, unknown>;
    a.resourceRequest = true;
    a.namespace = str(o.namespace);
    a.apiGroup = str(o.apiGroup);
    a.resource = str(o.resource);
    a.subresource = str(o.subresource);
    a.name = a.verb === 'create' && a.subresource === '' ? '' : str(o.name);
  } else {
    a.resourceRequest = false;
    a.namespace = '';
    a.apiGroup = '';
    a.resource = '';
    a.subresource = '';
    a.name = '';
  }
  a.path = pathOfRequestURI(str(e?.requestURI));
  return a;
}

/**
 * Loading audit policy files, as kube-apiserver's LoadPolicyFromBytes does:
 * YAML (1.1, as sigs.k8s.io/yaml / go-yaml v2 read it) → strict-then-lenient decode
 * (unknown and duplicate fields only warn) → `audit.k8s.io/v1` `Policy` required →
 * ValidatePolicy → at least one rule. Every problem is reported, with its line.
 */
import { readFile } from 'node:fs/promises';
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { decodePolicy, toPolicy } from './decode.js';
import { fieldPath, PolicyError, PolicyErrors, requiredBody, type PolicyWarning, type Segment } from './errors.js';
import { compilePolicies, type CompiledPolicy } from './evaluate.js';
import type { Policy } from './types.js';
import { validatePolicy } from './validate.js';

export interface ParseOptions {
  /** Called for each non-fatal finding (unknown/duplicate fields, extra YAML documents). */
  onWarning?: (warning: PolicyWarning) => void;
}

/** A parsed policy with where its rules came from. */
export interface ParsedPolicy {
  policy: Policy;
  file: string;
  /** 1-based line of each rule (same order as policy.rules). */
  ruleLines: number[];
  warnings: PolicyWarning[];
}

const YAML_OPTIONS = {
  version: '1.1' as const,
  merge: true,
  uniqueKeys: false,
  // go-yaml v2 leaves timestamps as strings when decoding into interface{}.
  customTags: (tags: unknown[]) =>
    tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp') as never,
};

/** Parse one policy file; throws PolicyErrors listing every problem. */
export function parsePolicy(text: string, file: string, options: ParseOptions = {}): Policy {
  return parsePolicyDetailed(text, file, options).policy;
}

/** Like parsePolicy, also returning rule line numbers and warnings. */
export function parsePolicyDetailed(text: string, file: string, options: ParseOptions = {}): ParsedPolicy {
  const lc = new LineCounter();
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = parseAllDocuments(source, { ...YAML_OPTIONS, lineCounter: lc });
  const docs = Array.isArray(parsed) ? parsed : [];
  const warnings: PolicyWarning[] = [];
  const warn = (w: PolicyWarning): void => {
    warnings.push(w);
    options.onWarning?.(w);
  };
  const doc = docs[0];
  for (let d = 1; d < docs.length; d++) {
    const extra = docs[d];
    if (extra.contents !== null) {
      const line = extra.contents.range ? lc.linePos(extra.contents.range[0]).line : 0;
      warn({ file, path: '', line, message: `${file}:${line}: only the first YAML document is used, as kube-apiserver does` });
    }
  }
  if (doc && doc.errors.length > 0) {
    throw new PolicyErrors(
      doc.errors.map((e) => new PolicyError(file, '', e.linePos?.[0].line ?? 0, `YAML syntax error: ${e.message.split('\n')[0]}`)),
    );
  }
  const locate = doc ? new Locator(doc, lc) : null;
  const lineOf = (segments: Segment[]): number => (locate ? locate.line(segments) : 1);
  for (const w of doc?.warnings ?? []) {
    const line = w.linePos?.[0].line ?? 0;
    warn({ file, path: '', line, message: `${file}:${line}: ${w.message.split('\n')[0]}` });
  }
  if (locate) for (const w of locate.duplicateKeys()) warn({ ...w, file, message: `${file}:${w.line}: ${w.message}` });

  let root: unknown;
  try {
    root = doc ? doc.toJS({ maxAliasCount: 1000 }) : null;
  } catch (err) {
    throw new PolicyErrors([new PolicyError(file, '', 1, `YAML error: ${(err as Error).message}`)]);
  }
  const decoded = decodePolicy(root);
  for (const w of decoded.warnings) {
    const line = lineOf(w.segments);
    warn({ file, path: fieldPath(w.segments), line, message: `${file}:${line}: ${w.reason}` });
  }
  const problems: PolicyError[] = decoded.errors.map(
    (e) => new PolicyError(file, e.path ?? fieldPath(e.segments), lineOf(e.segments), e.reason),
  );
  for (const e of validatePolicy(decoded.loose)) {
    problems.push(new PolicyError(file, e.path, lineOf(e.segments), e.reason));
  }
  const rules = decoded.loose.rules;
  if ((rules === undefined || rules.length === 0) && !problems.some((p) => p.path === 'rules')) {
    problems.push(new PolicyError(file, 'rules', lineOf(['rules']), requiredBody('loaded illegal policy with 0 rules')));
  }
  if (problems.length > 0) throw new PolicyErrors(problems);
  const policy = toPolicy(decoded);
  return { policy, file, ruleLines: policy.rules.map((_, i) => lineOf(['rules', i])), warnings };
}

/**
 * Load and merge several policy files. kube-apiserver accepts exactly one file, so
 * Vigil defines the merge: each file must be a valid policy on its own; rules are
 * concatenated in file order (rule numbers run across files, 1-based); the
 * policy-level omitStages are the union and omitManagedFields the logical OR of the
 * files' values, i.e. the result behaves like one Policy holding all the rules.
 * Errors of every file are reported together.
 */
export async function loadPolicies(files: readonly string[], options: ParseOptions = {}): Promise<CompiledPolicy> {
  if (files.length === 0) throw new TypeError('loadPolicies: no policy file given');
  const texts = await Promise.all(
    files.map(async (f) => {
      try {
        return { text: await readFile(f, 'utf8') };
      } catch (err) {
        return { error: new PolicyError(f, '', 0, `cannot read policy file: ${(err as Error).message}`) };
      }
    }),
  );
  const parts: ParsedPolicy[] = [];
  const problems: PolicyError[] = [];
  texts.forEach((t, i) => {
    if (t.error) return void problems.push(t.error);
    try {
      parts.push(parsePolicyDetailed(t.text ?? '', files[i], options));
    } catch (err) {
      if (err instanceof PolicyErrors) problems.push(...err.errors);
      else throw err;
    }
  });
  if (problems.length > 0) throw new PolicyErrors(problems);
  return compilePolicies(parts.map((p) => ({ policy: p.policy, file: p.file, ruleLines: p.ruleLines })));
}

/** Finds the line of a node addressed by field-path segments. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lc: LineCounter,
  ) {}

  private lineOf(node: unknown): number | undefined {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? this.lc.linePos(range[0]).line : undefined;
  }

  private resolve(node: unknown): unknown {
    for (let i = 0; i < 16 && isAlias(node); i++) node = node.resolve(this.doc);
    return node;
  }

  private findPair(map: YAMLMap, key: string, depth: number): Pair | undefined {
    for (let i = map.items.length - 1; i >= 0; i--) {
      const p = map.items[i];
      if (isScalar(p.key) && typeof p.key.value !== 'symbol' && String(p.key.value) === key) return p;
    }
    if (depth > 8) return undefined;
    for (const p of map.items) {
      if (!isScalar(p.key) || typeof p.key.value !== 'symbol') continue; // YAML merge key `<<`
      const sources = isSeq(p.value) ? p.value.items : [p.value];
      for (const s of sources) {
        const m = this.resolve(s);
        const found = isMap(m) ? this.findPair(m, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Line of the deepest existing node on the path (the key's line for mapping entries). */
  line(segments: readonly Segment[]): number {
    let node: unknown = this.doc.contents;
    let line = this.lineOf(node) ?? 1;
    for (const seg of segments) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = this.findPair(node, String(seg), 0);
        if (!pair) break;
        line = this.lineOf(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        line = this.lineOf(node) ?? line;
      } else {
        break;
      }
    }
    return line;
  }

  /** Duplicate mapping keys (the strict decoder's "duplicate field" findings). */
  duplicateKeys(): { path: string; line: number; message: string }[] {
    const out: { path: string; line: number; message: string }[] = [];
    const walk = (node: unknown, at: Segment[]): void => {
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const p of node.items) {
          if (!isScalar(p.key) || typeof p.key.value === 'symbol') continue;
          const key = String(p.key.value);
          if (seen.has(key)) {
            const path = fieldPath([...at, key]);
            out.push({ path, line: this.lineOf(p.key) ?? 0, message: `duplicate field "${path}" (the last value wins)` });
          }
          seen.add(key);
          walk(p.value, [...at, key]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => walk(item, [...at, i]));
      }
    };
    walk(this.doc.contents, []);
    return out;
  }
}

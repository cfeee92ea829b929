/**
 * Category exclusion (`exclude_categories`, `--audit_log_excluded_categories`):
 * events of an excluded category are counted and dropped before they are
 * stored, whatever their source. Names are ECS `event.category` values, plus
 * the flag literals of EngFlow's audit log (`auth` for `authentication`).
 */

/** ECS 8.11 `event.category` allowed values. */
export const ECS_CATEGORIES = [
  'api', 'authentication', 'configuration', 'database', 'driver', 'email', 'file', 'host', 'iam',
  'intrusion_detection', 'library', 'malware', 'network', 'package', 'process', 'registry',
  'session', 'threat', 'vulnerability', 'web',
] as const;

const ALIASES: Record<string, string> = { auth: 'authentication' };

/** Vigil's own access log is never excluded: reading the audit log must always leave a trace. */
const NEVER_EXCLUDED_DATASETS = new Set(['vigil.access']);

export class CategoryError extends Error {
  override readonly name = 'CategoryError';
}

/** Resolves configured names to ECS categories, failing on an unknown one with the valid list. */
export function resolveCategories(names: readonly string[], where = 'exclude_categories'): Set<string> {
  const out = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    const ecs = ALIASES[name] ?? name;
    if (!(ECS_CATEGORIES as readonly string[]).includes(ecs)) {
      throw new CategoryError(
        `${where}: unknown category ${JSON.stringify(name)}; valid: ${[...Object.keys(ALIASES), ...ECS_CATEGORIES].join(', ')}`,
      );
    }
    out.add(ecs);
  }
  return out;
}

/** The first of the event's categories (of this dataset) that drops it, as the event spells it; undefined when it is kept. */
export function excludedBy(excluded: ReadonlySet<string>, categories: readonly string[] | null | undefined, dataset?: string | null): string | undefined {
  if (excluded.size === 0 || !categories) return undefined;
  if (dataset && NEVER_EXCLUDED_DATASETS.has(dataset)) return undefined;
  return categories.find((c) => excluded.has(ALIASES[c] ?? c));
}

/** Whether an event with these categories (of this dataset) is dropped. */
export function isExcluded(excluded: ReadonlySet<string>, categories: readonly string[] | null | undefined, dataset?: string | null): boolean {
  return excludedBy(excluded, categories, dataset) !== undefined;
}

const FLAG = '--audit_log_excluded_categories';
const ALIAS_FLAG = '--exclude-category';

/**
 * Takes the exclusion flags out of an argument list, in EngFlow's syntax:
 * `--audit_log_excluded_categories=iam` sets the list, `…+=auth` appends to
 * it (repeatable; a value may hold several names separated by commas);
 * `--exclude-category NAME` / `--exclude-category=NAME` appends too.
 * Returns the remaining arguments and the list, or undefined when no flag was given.
 */
export function extractExclusionFlags(argv: readonly string[]): { rest: string[]; categories?: string[] } {
  const rest: string[] = [];
  let categories: string[] | undefined;
  const split = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith(`${FLAG}+=`)) {
      categories = [...(categories ?? []), ...split(a.slice(FLAG.length + 2))];
    } else if (a.startsWith(`${FLAG}=`)) {
      categories = split(a.slice(FLAG.length + 1));
    } else if (a === FLAG || a === ALIAS_FLAG) {
      const v = argv[++i];
      if (v === undefined) throw new CategoryError(`${a} needs a value`);
      categories = a === FLAG ? split(v) : [...(categories ?? []), ...split(v)];
    } else if (a.startsWith(`${ALIAS_FLAG}=`)) {
      categories = [...(categories ?? []), ...split(a.slice(ALIAS_FLAG.length + 1))];
    } else {
      rest.push(a);
    }
  }
  return { rest, categories };
}

/**
 * `event.action` / `event.category` / `event.type` from go-libaudit's normalization table
 * (the same table Elastic copies into its auditd pipeline), generated into
 * `tables/normalizations.ts`.
 */
import { NORMALIZATION_ROWS } from './tables/normalizations.js';

export interface Norm {
  action: string;
  category: readonly string[];
  type: readonly string[];
}

interface TypeNorm extends Norm {
  hasFields: readonly string[];
}

const words = (s: string): string[] => (s ? s.split(' ') : []);

const bySyscall = new Map<string, Norm>();
const byType = new Map<string, TypeNorm[]>();
let catchAll: Norm = { action: '', category: ['process'], type: ['info'] };

for (const [action, cat, typ, syscalls, types, hasFields] of NORMALIZATION_ROWS) {
  const norm: TypeNorm = { action, category: words(cat), type: words(typ), hasFields: words(hasFields) };
  for (const s of words(syscalls)) {
    if (s === '*') catchAll = norm;
    else if (!bySyscall.has(s)) bySyscall.set(s, norm);
  }
  for (const t of words(types)) {
    const list = byType.get(t);
    if (list) list.push(norm);
    else byType.set(t, [norm]);
  }
}

/** Normalization for a SYSCALL-led event; unknown syscalls → process/info, action = the name. */
export function syscallNorm(name: string): Norm {
  const n = bySyscall.get(name);
  if (n) return n;
  return { action: name, category: catchAll.category, type: catchAll.type };
}

/**
 * Normalization for an event led by another record type. Entries with `has_fields` (AVC:
 * SELinux vs AppArmor) apply when all those fields are present. Unknown types get the
 * lower-cased type name as action and no category/type.
 */
export function typeNorm(type: string, has: (field: string) => boolean): Norm {
  const list = byType.get(type);
  if (list) {
    for (const n of list) if (n.hasFields.length > 0 && n.hasFields.every(has)) return n;
    for (const n of list) if (n.hasFields.length === 0) return n;
    return list[0];
  }
  return { action: type.toLowerCase(), category: [], type: [] };
}

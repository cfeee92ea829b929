/** Renders docs/configuration.md's key table from the schema, so the docs cannot drift. */
import type { TSchema } from '@sinclair/typebox';
import { envName, FLAG_ALIASES, flagName, leaves } from './load.js';

const defaultOf = (s: TSchema) => (s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``);

export function configTable(): string {
  const rows = leaves().map(
    (l) => `| \`${l.path}\` | ${defaultOf(l.schema)} | \`${envName(l.path)}\` | \`--${FLAG_ALIASES[l.path] ?? flagName(l.path)}\` | ${String(l.schema.description ?? '')} |`,
  );
  return ['| key | default | environment | flag (`vigil serve`) | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * Renders an EventQuery as DuckDB SQL with positional parameters. Labels map
 * to typed columns; `category` is a list column, `user` matches name or e-mail.
 */
import type { EventQuery, LabelMatcher, LineFilter } from '../store.js';

/** Query label → the column expression it filters. */
export const LABEL_COLUMNS: Record<string, string> = {
  dataset: 'dataset',
  action: 'action',
  outcome: 'outcome',
  user: 'user_name',
  user_email: 'user_email',
  source_ip: 'source_ip',
  target: 'target',
  namespace: 'namespace',
  host: 'host',
};

export interface RenderedSql {
  sql: string;
  params: (string | bigint | number)[];
}

/** Anchors a LogQL (RE2) regex the way Loki matches label values: the whole value. */
const fullMatch = (re: string) => `^(?:${re})$`;

function labelCondition(m: LabelMatcher, params: RenderedSql['params']): string {
  const p = () => `$${params.length}`;
  if (m.label === 'category') {
    params.push(m.op === '=~' || m.op === '!~' ? fullMatch(m.value) : m.value);
    const any =
      m.op === '=' || m.op === '!='
        ? `list_contains(coalesce(category, []), ${p()})`
        : `len(list_filter(coalesce(category, []), c -> regexp_full_match(c, ${p()}))) > 0`;
    return m.op.startsWith('!') ? `NOT ${any}` : any;
  }
  const cols = m.label === 'user' ? ['user_name', 'user_email'] : [LABEL_COLUMNS[m.label]];
  if (!cols[0]) throw new Error(`unknown label ${JSON.stringify(m.label)}`);
  params.push(m.value);
  // A missing label equals "" in LogQL, so compare against coalesce(col, '').
  const one = (col: string) => {
    const v = `coalesce(${col}, '')`;
    switch (m.op) {
      case '=': return `${v} = ${p()}`;
      case '!=': return `${v} <> ${p()}`;
      case '=~': return `regexp_full_match(${v}, ${p()})`;
      case '!~': return `NOT regexp_full_match(${v}, ${p()})`;
    }
  };
  if (cols.length === 1) return one(cols[0]);
  const parts = cols.map(one);
  return m.op.startsWith('!') ? `(${parts.join(' AND ')})` : `(${parts.join(' OR ')})`;
}

function lineCondition(f: LineFilter, params: RenderedSql['params']): string {
  params.push(f.value);
  const p = `$${params.length}`;
  switch (f.op) {
    case '|=': return `contains(doc, ${p})`;
    case '!=': return `NOT contains(doc, ${p})`;
    case '|~': return `regexp_matches(doc, ${p})`;
    case '!~': return `NOT regexp_matches(doc, ${p})`;
  }
}

export function renderQuery(q: EventQuery): RenderedSql {
  const params: RenderedSql['params'] = [q.fromNs, q.toNs];
  const where = ['ts >= $1', 'ts < $2'];
  for (const m of q.matchers) where.push(labelCondition(m, params));
  for (const f of q.lineFilters) where.push(lineCondition(f, params));
  params.push(q.limit);
  const dir = q.direction === 'forward' ? 'ASC' : 'DESC';
  return {
    sql: `SELECT seq, ts, doc FROM events WHERE ${where.join(' AND ')} ORDER BY ts ${dir}, seq ${dir} LIMIT $${params.length}`,
    params,
  };
}

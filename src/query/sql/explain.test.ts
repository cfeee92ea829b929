import { describe, expect, it } from 'vitest';
import { parseLogQL } from '../logql/build.js';
import { duckdbCatalog, duckdbDialect } from './dialects/duckdb.js';
import { explainWithSql, inlineParams } from './explain.js';

describe('explainWithSql', () => {
  it('writes parameters in, quoting strings', () => {
    expect(inlineParams('a = $1 AND b = $2 AND c = $10', ["it's", 5n])).toBe("a = 'it''s' AND b = 5 AND c = $10");
    expect(inlineParams('a = {p1:String} AND b = {p2:Int64}', ['x', 5n])).toBe("a = 'x' AND b = 5");
  });

  it('lists one scan per selector of a binary operation; in the original view labels are the served ones and the line the one received', () => {
    const e = parseLogQL('count_over_time({dataset="a"}[1m]) / count_over_time({app="web"} |= "x" [1m])');
    const text = explainWithSql(e, duckdbCatalog, duckdbDialect, { fromNs: 0n, toNs: 60_000_000_000n, stepNs: 60_000_000_000n, limit: 100, direction: 'forward', view: 'original' });
    const sql = text.split('SQL (duckdb):\n')[1].split('\n').filter((l) => /^\s+\[\d\]/.test(l));
    expect(sql).toHaveLength(2);
    expect(sql[0]).toContain(`CASE WHEN contains(doc, '"dataset":"') AND json_type(doc, '$.labels.dataset') = 'VARCHAR' THEN json_extract_string(doc, '$.labels.dataset') ELSE coalesce(dataset, '') END = 'a'`);
    expect(sql[1]).toContain(`contains(doc, '"app":"web"') AND CASE WHEN`);
    expect(sql[1]).toContain(`contains(doc, 'x') AND contains(coalesce(json_extract_string(doc, '$.event.original'), doc), 'x')`);
  });
});

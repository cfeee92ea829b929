/**
 * Issue 19 item 3: query text nested or long enough to exhaust the parser's
 * stack (20,000 nested `sum(`, 5,000 chained `or`, 2,000 matchers: 500
 * "Maximum call stack size exceeded" before) is refused with a parse error,
 * as Loki's style on Loki routes and from the catalogue on Vigil's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUERY_DEPTH, MAX_QUERY_LENGTH } from '../../query/logql/build.js';
import { getText, testServer, type TestServer } from '../../testing/server.js';

const SEL = '{dataset="app.audit"}';
const nestedSum = `${'sum('.repeat(20_000)}count_over_time(${SEL}[1m])${')'.repeat(20_000)}`;
const chainedOr = Array.from({ length: 5_000 }, () => `count_over_time(${SEL}[1m])`).join(' or ');
const matchers = `{${Array.from({ length: 2_000 }, (_, i) => `l${i}="v"`).join(', ')}}`;
const nestedSumShort = `${'sum('.repeat(2_000)}count_over_time(${SEL}[1m])${')'.repeat(2_000)}`;
/** Deep, but within the limit: every walker (validate, plan, eval) handles it. */
const deepButAllowed = `${'('.repeat(MAX_QUERY_DEPTH / 4)}count_over_time(${SEL}[1m])${')'.repeat(MAX_QUERY_DEPTH / 4)}`;

describe('query size limits', () => {
  let s: TestServer;
  beforeAll(async () => (s = await testServer()));
  afterAll(() => s.stop());

  const loki = (query: string, path = 'query_range') => s.call(`/loki/api/v1/${path}`, { method: 'POST', body: new URLSearchParams({ query, start: '0', end: '60', step: '60' }) });

  it.each([
    ['20,000 nested sum(', nestedSum, /longer than 65536 characters|nested more than 1000 levels deep/],
    ['2,000 nested sum( (under the length limit)', nestedSumShort, /nested more than 1000 levels deep/],
    ['5,000 chained or', chainedOr, /longer than 65536 characters|nested more than 1000 levels deep/],
    // The grammar's parser stops with an error of its own on a list this long (its tree is nested per item).
    ['2,000 matchers', matchers, /nested more than 1000 levels deep|unexpected end of query/],
    ['a query over the length limit', `${SEL} |= "${'x'.repeat(MAX_QUERY_LENGTH)}"`, /longer than 65536 characters/],
  ])('refuses %s with 400 on the Loki routes and /api/v1/query', async (_name, query, reason) => {
    const res = await loki(query);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^parse error at line 1, col \d+: syntax error: /);
    expect(text).toMatch(reason);
    const own = await getText(s, `/api/v1/query?query=${encodeURIComponent(query)}`);
    if (own.status === 414 || own.status === 431) return; // a URL this long may be refused by the HTTP layer first
    expect(own.status).toBe(400);
    expect(own.json()).toMatchObject({ error: 'bad_query', message: expect.stringMatching(reason) });
  });

  it('still answers a deeply parenthesised query within the limit', async () => {
    const res = await loki(deepButAllowed);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('success');
  });
});

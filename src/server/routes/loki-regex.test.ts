/**
 * Issue 19 item 1: a query's regexes run in RE2, so `(a+)+$` over a long value
 * answers at once instead of backtracking the event loop for hours (a JS
 * RegExp takes ~0.4 s at 26 characters and doubles with each one more).
 * Every stage that evaluates a regex in TypeScript is exercised (after a
 * parser nothing is pushed down to SQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from '../../testing/server.js';

const T0 = 1_767_225_600;
const LONG = `${'a'.repeat(46)}!`;
const EVIL = '(a+)+$';

describe('Loki read API: pathological regexes complete (RE2)', () => {
  let s: TestServer;
  const read = async (query: string) => {
    const res = await s.call(`/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${T0}&end=${T0 + 300}&step=300&direction=forward&limit=100`);
    const text = await res.text();
    expect(res.status, `${query}: ${text}`).toBe(200);
    return (JSON.parse(text) as { data: { result: { stream?: Record<string, string>; metric?: Record<string, string>; values: [unknown, string][] }[] } }).data.result;
  };
  const lines = async (query: string) => (await read(query)).flatMap((r) => r.values.map((v) => v[1])).sort();

  beforeAll(async () => {
    s = await testServer();
    const ns = (sec: number) => `${T0 + sec}000000000`;
    const body = JSON.stringify({ streams: [{ stream: { job: 'redos' }, values: [[ns(1), `v=${LONG}`], [ns(2), 'v=aaa']] }] });
    expect((await s.call('/loki/api/v1/push', { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(204);
  });
  afterAll(() => s.stop());

  it('label filters after a parser (anchored, as Loki anchors them)', async () => {
    expect(await lines(`{job="redos"} | logfmt | v=~"${EVIL}"`)).toEqual(['v=aaa']);
    expect(await lines(`{job="redos"} | logfmt | v!~"${EVIL}"`)).toEqual([`v=${LONG}`]);
    expect(await lines(`{job="redos"} | logfmt | drop v=~"${EVIL}" | line_format "{{.v}}"`)).toEqual(['', LONG]);
  });

  it('line filters, in TypeScript after a parser and pushed into SQL before one', async () => {
    expect(await lines(`{job="redos"} | logfmt |~ "${EVIL}"`)).toEqual(['v=aaa']);
    expect(await lines(`{job="redos"} | logfmt !~ "${EVIL}"`)).toEqual([`v=${LONG}`]);
    expect(await lines(`{job="redos"} |~ "${EVIL}"`)).toEqual(['v=aaa']);
  });

  it('the regexp parser', async () => {
    expect(await lines(`{job="redos"} | regexp "v=(?P<w>${EVIL})" | w!="" | line_format "{{.w}}"`)).toEqual(['aaa']);
  });

  it('regexReplaceAll and regexReplaceAllLiteral in templates', async () => {
    const tmpl = (fn: string) => `{job="redos"} | logfmt | line_format \`{{ ${fn} "${EVIL}" .v "x$1" }}\``;
    expect(await lines(tmpl('regexReplaceAll'))).toEqual([LONG, 'xaaa']);
    expect(await lines(tmpl('regexReplaceAllLiteral'))).toEqual([LONG, 'x$1']);
  });

  it('label_replace', async () => {
    const r = await read(`label_replace(sum by (v) (count_over_time({job="redos"} | logfmt [5m])), "w", "$1", "v", "${EVIL}")`);
    expect(r.map((x) => x.metric).sort((a, b) => (a!.v < b!.v ? -1 : 1))).toEqual([{ v: 'aaa', w: 'aaa' }, { v: LONG }]);
  });
});

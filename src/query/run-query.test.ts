/** runQuery (GET /api/v1/query, `vigil query`): selectors, line filters, range, direction and limit on a real store. */
import { describe, expect, it } from 'vitest';
import { prepared, tempDir } from '../testing/events.js';
import { readEvents } from '../testing/query.js';
import { openTestStore } from '../testing/store.js';

describe('runQuery', () => {
  it('filters by label, time and line, in both directions, with a limit', async () => {
    const store = await openTestStore(tempDir());
    await store.append([{ events: prepared(60) }]);
    const failures = await readEvents(store, '{outcome="failure"}');
    expect(failures.map((r) => r.seq)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56]);
    const files = await readEvents(store, '{category="file", dataset!="app.audit"}');
    expect(files.every((r) => JSON.parse(r.doc).event.category[0] === 'file' && r.seq % 2 === 0)).toBe(true);
    expect(files.length).toBe(10); // i % 6 === 4
    const user3 = await readEvents(store, '{user="user3@example.com"}');
    expect(user3.map((r) => r.seq)).toEqual([3, 53]);
    const re = await readEvents(store, '{action=~"sign-.*"}');
    expect(re.length).toBe(20);
    const line = await readEvents(store, '{dataset=~".+"} |= `"req-42"`');
    expect(line.map((r) => r.seq)).toEqual([42]);
    const notLine = await readEvents(store, '{dataset=~".+"} !~ "user[0-4]@"');
    expect(notLine.every((r) => r.seq % 50 >= 5)).toBe(true);
    const back = await readEvents(store, undefined, { direction: 'backward', limit: 3 });
    expect(back.map((r) => r.seq)).toEqual([59, 58, 57]);
    const window = await readEvents(store, undefined, { from: String(prepared(1, 10)[0].ts), to: String(prepared(1, 13)[0].ts) });
    expect(window.map((r) => r.seq)).toEqual([10, 11, 12]);
    await store.close();
  });

  it('matches a missing label as the empty string, as LogQL does', async () => {
    const store = await openTestStore(tempDir());
    await store.append([{ events: prepared(2) }]);
    expect((await readEvents(store, '{dataset=~".+", namespace=""}')).length).toBe(2);
    expect((await readEvents(store, '{dataset=~".+", namespace!=""}')).length).toBe(0);
    await store.close();
  });
});

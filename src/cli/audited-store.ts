/**
 * Local CLI commands that read or change the audit log do it the same way:
 * open the data dir's store, do the work, record it as a `vigil.access`
 * event through the ordinary ingest path (so it is sealed like any other),
 * close. These two helpers are that sequence, once.
 */
import { userInfo } from 'node:os';
import type { Config } from '../config/load.js';
import type { AccessRecord } from '../server/access-audit.js';
import { openLocalStore, type LocalStore } from './local-store.js';

/** What a command says about its access; the actor (the local OS user) and the route are filled in. */
export type LocalAccess = Omit<AccessRecord, 'actor' | 'route'>;

/** Opens the local store, runs `fn` with a recorder of access events, and closes the store whatever happens. */
export async function withLocalStore<T>(
  config: Config,
  route: string,
  fn: (store: LocalStore, record: (access: LocalAccess) => Promise<void>) => Promise<T>,
  store?: LocalStore,
): Promise<T> {
  const [{ accessEvent }, { ingestStack }] = await Promise.all([import('../server/access-audit.js'), import('../runtime/ingest-stack.js')]);
  const opened = store ?? (await openLocalStore(config));
  const { ingest, committer } = ingestStack(config, opened);
  const actor = { name: `local:${userInfo().username}`, scopes: ['admin'] };
  const record = async (access: LocalAccess) => {
    await ingest.ingestEvents([accessEvent({ ...access, actor, route })], 'vigil.access');
  };
  try {
    return await fn(opened, record);
  } finally {
    await committer.close();
    await opened.close();
  }
}

/**
 * A read of the audit log (query, export): recorded as a success with the
 * number of results, or as a failure with the reason before the error goes on.
 */
export function auditedLocalRead<T>(
  config: Config,
  access: { route: string; action: string; query?: string },
  read: (store: LocalStore) => Promise<T>,
  results: (value: T) => number,
): Promise<T> {
  return withLocalStore(config, access.route, async (store, record) => {
    let value: T;
    try {
      value = await read(store);
    } catch (err) {
      await record({ action: access.action, query: access.query, outcome: 'failure', results: 0, reason: (err as Error).message });
      throw err;
    }
    await record({ action: access.action, query: access.query, outcome: 'success', results: results(value) });
    return value;
  });
}

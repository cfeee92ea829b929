/** Writes `vigil.access` events for read attempts and admin actions made over HTTP (refused credentials: denied-access.ts). */
import type { FastifyRequest } from 'fastify';
import type { IngestService } from '../ingest/service.js';
import { accessEvent, type AccessRecord } from './access-audit.js';

export class AccessLog {
  constructor(private readonly ingest: IngestService) {}

  /** Records one access event durably. */
  async record(r: AccessRecord): Promise<void> {
    await this.ingest.ingestEvents([accessEvent(r)], 'vigil.access');
  }

  /** Who is asking, from where, over which route. */
  private static context(req: FastifyRequest) {
    const p = req.principal;
    return {
      actor: { name: p.name, id: p.tokenId || undefined, scopes: p.scopes },
      sourceIp: req.ip,
      userAgent: req.headers['user-agent'],
      route: req.routeOptions.url ?? req.url,
    };
  }

  /**
   * Runs a read and records it, with its outcome and result count, before the
   * result is returned. `count` tells how many events a non-array result holds.
   */
  async audited<T>(
    req: FastifyRequest,
    action: string,
    query: string,
    read: () => Promise<T>,
    count: (result: T) => number = (r) => (r as unknown[]).length,
  ): Promise<T> {
    try {
      const rows = await read();
      await this.record({ ...AccessLog.context(req), action, outcome: 'success', query, results: count(rows) });
      return rows;
    } catch (err) {
      await this.record({ ...AccessLog.context(req), action, outcome: 'failure', query, results: 0, reason: (err as Error).message });
      throw err;
    }
  }

  /** Records a read refused before it could run (its parameters do not parse, …). */
  async refused(req: FastifyRequest, action: string, query: string, reason: string): Promise<void> {
    await this.record({ ...AccessLog.context(req), action, outcome: 'failure', query, results: 0, reason });
  }

  /** Records an admin action (token create/revoke) made by the requester. */
  async admin(req: FastifyRequest, r: Pick<AccessRecord, 'action' | 'targetToken'>): Promise<void> {
    await this.record({ ...AccessLog.context(req), ...r, outcome: 'success' });
  }
}

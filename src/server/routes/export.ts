/**
 * GET /api/v1/export — the events a query selects, with `vigil.seq` and
 * `vigil.leaf_hash`, as NDJSON, CSV or Parquet, or as a proof bundle
 * (`proofs=true`). The export is written to a private file in the data dir
 * first, recorded as a read (`vigil.access`, action `export`, with the event
 * count), and then streamed to the client and removed.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Checkpointer } from '../../integrity/signing/index.js';
import { exportSelection } from '../../query/export-selection.js';
import { EXPORT_FORMATS, type AuditStore, type ExportFormat } from '../../store/index.js';
import type { AccessLog } from '../access-log.js';
import { ApiError } from '../errors.js';

interface ExportParams {
  query?: string;
  from?: string;
  to?: string;
  start?: string;
  end?: string;
  since?: string;
  format?: string;
  proofs?: string;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export function exportRoutes(app: FastifyInstance, deps: { store: AuditStore; checkpoints: Checkpointer | undefined; access: AccessLog; dataDir: string }): void {
  const dir = join(deps.dataDir, 'exports');
  app.get<{ Querystring: ExportParams }>('/api/v1/export', { config: { scope: 'read' } }, async (req, reply) => {
    const q = req.query;
    const format = (q.format ?? 'ndjson') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new ApiError('bad_request', `format: one of ${EXPORT_FORMATS.join(', ')}`);
    const proofs = q.proofs === 'true' || q.proofs === '1';
    if (proofs && format !== 'ndjson') throw new ApiError('bad_request', 'a proof bundle is NDJSON: use format=ndjson with proofs=true');
    const query = q.query ?? '';
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${randomBytes(8).toString('hex')}.${format}`);
    const events = await deps.access.audited(
      req,
      proofs ? 'export-proofs' : 'export',
      query,
      async () => {
        const selection = exportSelection({ query, from: q.from ?? q.start, to: q.to ?? q.end, since: q.since }, deps.store.labels);
        let bundle;
        if (proofs) {
          if (!deps.checkpoints) throw new ApiError('conflict', 'this server does not sign checkpoints (integrity.sealing is off)');
          const checkpoint = (await deps.checkpoints.issue()) ?? (await deps.store.latestCheckpoint());
          if (!checkpoint) throw new ApiError('conflict', 'the log is empty: nothing to prove');
          bundle = { checkpoint, origin: deps.checkpoints.key.origin, verifierKey: deps.checkpoints.key.verifierKey, query };
        }
        return deps.store.exportEvents(selection, format, file, { proofs: bundle });
      },
      (n) => n,
    ).catch((err) => {
      rmSync(file, { force: true });
      throw err;
    });
    const body = createReadStream(file);
    body.on('close', () => rmSync(file, { force: true }));
    const name = `vigil-export.${proofs ? 'bundle.ndjson' : format}`;
    return reply
      .type(CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('x-vigil-events', String(events))
      .send(body);
  });
}

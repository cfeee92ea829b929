/**
 * GET /api/v1/export — the events a query selects, with `vigil.seq` and
 * `vigil.leaf_hash`, as NDJSON, CSV or Parquet, or as a proof bundle
 * (`proofs=true`). The export is written to a private temporary file in
 * `<data>/exports/` first, recorded as a read (`vigil.access`, action
 * `export`, with the event count), and then streamed to the client and
 * removed; it is also removed when writing it fails, and the folder is emptied
 * at start, so no partial export outlives its request. A token runs at most
 * MAX_EXPORTS_PER_TOKEN exports at a time (429 past it), so one reader cannot
 * fill the volume with them.
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
import { singleParams } from '../params.js';

type ExportParam = 'query' | 'from' | 'to' | 'start' | 'end' | 'since' | 'format' | 'proofs';

export const MAX_EXPORTS_PER_TOKEN = 2;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

export function exportRoutes(app: FastifyInstance, deps: { store: AuditStore; checkpoints: Checkpointer | undefined; access: AccessLog; dataDir: string }): void {
  const dir = join(deps.dataDir, 'exports');
  // Left over from a run that stopped mid-export: nobody can fetch them any more.
  rmSync(dir, { recursive: true, force: true });
  const running = new Map<string, number>();
  app.get('/api/v1/export', { config: { scope: 'read' } }, async (req, reply) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const proofsAsked = raw.proofs === 'true' || raw.proofs === '1';
    const who = req.principal.tokenId || req.principal.name;
    let file: string | undefined;
    let format: ExportFormat = 'ndjson';
    let proofs = false;
    // Everything is checked inside the audited read, so a refused export is recorded as a failed read.
    const events = await deps.access.audited(
      req,
      proofsAsked ? 'export-proofs' : 'export',
      String(raw.query ?? ''),
      async () => {
        const q = singleParams<ExportParam>(raw);
        format = (q.format ?? 'ndjson') as ExportFormat;
        if (!EXPORT_FORMATS.includes(format)) throw new ApiError('bad_request', `format: one of ${EXPORT_FORMATS.join(', ')}`);
        proofs = q.proofs === 'true' || q.proofs === '1';
        if (proofs && format !== 'ndjson') throw new ApiError('bad_request', 'a proof bundle is NDJSON: use format=ndjson with proofs=true');
        if ((running.get(who) ?? 0) >= MAX_EXPORTS_PER_TOKEN) {
          throw new ApiError('too_many_requests', `this token already runs ${MAX_EXPORTS_PER_TOKEN} exports; retry when one has finished`);
        }
        const query = q.query ?? '';
        const selection = exportSelection({ query, from: q.from ?? q.start, to: q.to ?? q.end, since: q.since }, deps.store.labels);
        let bundle;
        if (proofs) {
          if (!deps.checkpoints) throw new ApiError('conflict', 'this server does not sign checkpoints (integrity.sealing is off)');
          const checkpoint = (await deps.checkpoints.issue()) ?? (await deps.store.latestCheckpoint());
          if (!checkpoint) throw new ApiError('conflict', 'the log is empty: nothing to prove');
          bundle = { checkpoint, origin: deps.checkpoints.key.origin, verifierKey: deps.checkpoints.key.verifierKey, query };
        }
        running.set(who, (running.get(who) ?? 0) + 1);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        file = join(dir, `${randomBytes(8).toString('hex')}.${format}.tmp`);
        return deps.store.exportEvents(selection, format, file, { proofs: bundle });
      },
      (n) => n,
    ).catch((err) => {
      if (file) done(file);
      throw err;
    });
    const exported = file!;
    const body = createReadStream(exported);
    body.on('close', () => done(exported));
    const name = `vigil-export.${proofs ? 'bundle.ndjson' : format}`;
    return reply
      .type(CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('x-vigil-events', String(events))
      .send(body);

    function done(path: string): void {
      rmSync(path, { force: true });
      const n = (running.get(who) ?? 1) - 1;
      if (n > 0) running.set(who, n);
      else running.delete(who);
    }
  });
}

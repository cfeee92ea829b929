/**
 * GET /loki/api/v1/tail: Loki's live tail over a WebSocket (pkg/querier/http.go
 * TailHandler, pkg/loghttp/tail.go). Bad parameters are refused with a 400
 * before the upgrade; a metric query, or a failure while tailing, closes the
 * socket with 1011 and the message, as Loki does. Scope `read`; the start of a
 * tail, with its backlog, is audited like every Loki read. Revoking the tail's
 * token closes it within a second with 1008 (policy violation).
 */
import websocket, { type WebSocket } from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nowNs } from '../../model/time.js';
import { isClientError, QueryArgumentError } from '../../query/errors.js';
import type { Expr } from '../../query/logql/ast.js';
import { parseLogQL } from '../../query/logql/build.js';
import { limitOf, one, parseLokiTime, parseStep, type Params } from '../../query/loki-params.js';
import type { LineView } from '../../query/plan/plan.js';
import type { Store } from '../../store/store.js';
import type { AccessLog } from '../access-log.js';
import { LokiTailer } from './loki-tailer.js';

export interface LokiTailDeps {
  store: Store;
  access: AccessLog;
  /** `loki.line`; `line=ecs|original` overrides it per request, as on query_range. */
  line?: LineView;
  /** The store's commit hook; without it new commits are found by polling. */
  onCommit?: (listener: () => void) => () => void;
  pollMs?: number;
  /** Whether the token with this id is still valid; a tail whose token was revoked is closed with 1008. */
  tokenActive?: (tokenId: string) => boolean;
}

export interface TailParams {
  query: string;
  expr: Expr;
  limit: number;
  startNs: bigint;
  delayNs: bigint;
  view: LineView;
}

const MAX_DELAY_FOR = 5;
const HOUR_NS = 3600n * 1_000_000_000n;
/** Loki pings every second (wsPingPeriod); a client silent this long is cut off. */
const PING_MS = 1000;
const PONG_TIMEOUT_MS = 30_000;
/** How often an open tail checks that its token was not revoked (a revoked tail ends within a second). */
const REVOKED_CHECK_MS = 250;
/** How long a closing client has to answer the close frame. */
const CLOSE_GRACE_MS = 1000;
const NOT_WEBSOCKET = "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";

/** Loki's ParseTailQuery: query, limit, start (or since), delay_for (whole seconds, at most 5). */
export function parseTailParams(p: Params, defaultView: LineView, now = nowNs()): TailParams {
  const query = one(p.query) ?? '';
  const expr = parseLogQL(query);
  const limit = limitOf(p);
  const startNs = p.start ? parseLokiTime(one(p.start)!, 'start') : now - (p.since ? parseStep(one(p.since)!) : HOUR_NS);
  const d = one(p.delay_for) ?? '';
  if (d !== '' && !/^[+-]?\d+$/.test(d)) throw new QueryArgumentError(`strconv.Atoi: parsing ${JSON.stringify(d)}: invalid syntax`);
  const delay = d === '' ? 0 : Number(d);
  // Loki reads delay_for as an unsigned number: a negative one is too large as well.
  if (delay < 0 || delay > MAX_DELAY_FOR) throw new QueryArgumentError(`delay_for can't be greater than ${MAX_DELAY_FOR}`);
  const line = one(p.line);
  const view = line === 'ecs' || line === 'original' ? line : defaultView;
  return { query, expr, limit, startNs, delayNs: BigInt(delay) * 1_000_000_000n, view };
}

/** A close reason fits in 123 bytes of UTF-8. */
function closeReason(msg: string): string {
  let s = msg;
  while (Buffer.byteLength(s) > 123) s = s.slice(0, -1);
  return s;
}

interface Session {
  close(code: number, reason: string): Promise<void>;
}

export function lokiTailRoutes(app: FastifyInstance, deps: LokiTailDeps): void {
  const sessions = new Set<Session>();
  const params = new WeakMap<object, TailParams>();
  // Runs before the websocket plugin's own preClose: tails stop with 1001 and their queries finish before the store closes.
  app.addHook('preClose', async () => {
    await Promise.all([...sessions].map((s) => s.close(1001, 'server shutting down')));
  });
  // An upgrade answered over HTTP (401, 403, 400) keeps its socket, which Node no longer
  // manages, and would hold up shutdown: end it once the answer is out.
  app.addHook('onResponse', async (req) => {
    const socket = req.raw.socket;
    if (!req.headers.upgrade || socket.destroyed) return;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  });
  app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  const serve = async (socket: WebSocket, req: FastifyRequest) => {
    const p = params.get(req.raw)!;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let tailer: LokiTailer | undefined;
    const close = async (code: number, reason: string) => {
      socket.close(code, closeReason(reason));
      const kill = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(kill);
    };
    const session: Session = {
      async close(code, reason) {
        await tailer?.stop();
        await close(code, reason);
      },
    };
    sessions.add(session);
    let lastPong = Date.now();
    socket.on('pong', () => (lastPong = Date.now()));
    const ping = setInterval(() => (Date.now() - lastPong > PONG_TIMEOUT_MS ? socket.terminate() : socket.ping()), PING_MS);
    const tokenId = req.principal.tokenId;
    const tokenActive = deps.tokenActive;
    const revoked =
      tokenId && tokenActive
        ? setInterval(() => {
            if (tokenActive(tokenId)) return;
            clearInterval(revoked);
            void session.close(1008, 'the token was revoked');
          }, REVOKED_CHECK_MS)
        : undefined;
    void closed.then(() => {
      clearInterval(ping);
      clearInterval(revoked);
      sessions.delete(session);
      void tailer?.stop();
    });

    if (p.expr.kind !== 'log') {
      await deps.access.refused(req, 'query', p.query, 'only log selector is supported').catch((err: Error) => req.log.error({ err }, 'could not record a refused tail'));
      return close(1011, 'only log selector is supported');
    }
    const t = new LokiTailer({
      store: deps.store,
      query: p.query,
      expr: p.expr,
      view: p.view,
      limit: p.limit,
      startNs: p.startNs,
      delayNs: p.delayNs,
      onCommit: deps.onCommit,
      pollMs: deps.pollMs,
      send: (message) => new Promise<void>((resolve, reject) => socket.send(message, (err) => (err ? reject(err) : resolve()))),
      onError: (err) => {
        req.log.warn({ err }, 'loki tail failed');
        void close(1011, err.message);
      },
    });
    tailer = t;
    try {
      await deps.access.audited(req, 'query', p.query, () => t.backlog(), (n) => n);
    } catch (err) {
      await t.stop();
      return close(1011, (err as Error).message);
    }
    if (socket.readyState === socket.OPEN) t.follow();
  };

  app.register(async (scope) => {
    scope.route({
      method: 'GET',
      url: '/loki/api/v1/tail',
      config: { scope: 'read' },
      preHandler: async (req, reply) => {
        try {
          params.set(req.raw, parseTailParams(req.query as Params, deps.line ?? 'original'));
        } catch (err) {
          if (!isClientError(err)) throw err;
          await deps.access.refused(req, 'query', one((req.query as Params).query) ?? '', (err as Error).message);
          return reply.code(400).type('text/plain; charset=utf-8').send((err as Error).message);
        }
      },
      handler: async (_req, reply) => reply.code(400).type('text/plain; charset=utf-8').send(NOT_WEBSOCKET),
      wsHandler: serve,
    });
  });
}

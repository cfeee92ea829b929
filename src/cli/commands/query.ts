/** `vigil query '<logql>'` — search the audit log, locally or on a server. */
import { Option, type Command } from 'commander';
import type { QueryRequest } from '../../query/engine.js';
import { addConfigFlags, configFrom } from '../config-flags.js';
import { OUTPUTS, render, type OutputFormat } from '../output.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

interface QueryFlags extends RemoteFlags {
  since?: string;
  from?: string;
  to?: string;
  limit: string;
  direction: 'forward' | 'backward';
  output: OutputFormat;
  explain?: boolean;
  step?: string;
}

/** Runs the query against the local store, recording the read as an access event. */
async function localQuery(opts: QueryFlags & Record<string, unknown>, req: QueryRequest): Promise<string[]> {
  const [{ runQuery }, { withVigil }, { auditedLocalRead }, { queryGate }] = await Promise.all([
    import('../../query/engine.js'),
    import('../../store/store.js'),
    import('../audited-store.js'),
    import('../../runtime/query-gate.js'),
  ]);
  const config = configFrom(opts);
  const gate = queryGate(config);
  const rows = await auditedLocalRead(config, { route: 'cli:query', action: 'query', query: req.query }, (store) => gate.run((budget) => runQuery(store, req, budget)), (r) => r.length);
  return rows.map(withVigil);
}

export function queryCommand(program: Command): void {
  const cmd = program
    .command('query')
    .description('Search the audit log with LogQL: log queries (events) and metric queries (series over time)')
    .argument('<query>', 'LogQL, e.g. \'{dataset="app.audit", outcome="failure"} |= "alice"\' or \'sum by (action) (count_over_time({dataset="app"}[5m]))\'')
    .option('--since <duration>', 'look back this far from --to (default 1h)')
    .option('--from <time>', 'start: RFC 3339, Unix epoch (s/ms/ns) or now-2h')
    .option('--to <time>', 'end (exclusive), default now')
    .option('--limit <n>', 'most events to return', '100')
    .addOption(new Option('--direction <dir>', 'newest first (backward) or oldest first (forward)').choices(['backward', 'forward']).default('backward'))
    .addOption(new Option('-o, --output <format>', 'output format').choices([...OUTPUTS]).default('table'))
    .option('--step <duration>', 'metric queries: evaluation step (default: range/250, at least 1s)')
    .option('--explain', 'print the plan and the SQL the store would run, without running it')
    .action(async (query: string, opts: QueryFlags & Record<string, unknown>) => {
      const metric = await import('./query-metric.js');
      const { parseLogQL } = await import('../../query/logql/build.js');
      const { resolveRange } = await import('../../query/engine.js');
      const range = resolveRange({ since: opts.since, from: opts.from, to: opts.to });
      if (opts.explain) {
        process.stdout.write(`${await metric.explainText(query, range, Number(opts.limit), opts.direction, opts.step)}\n`);
        return;
      }
      if (parseLogQL(query).kind !== 'log') {
        const r = await metric.metricRange(range.fromNs, range.toNs, opts.step);
        const remote = remoteClient(opts);
        const series = remote ? await metric.remoteMetric(remote, query, r) : await metric.localMetric(configFrom(opts), query, r);
        const out = metric.renderMetric(series, opts.output);
        process.stdout.write(out.length ? `${out.join('\n')}\n` : '');
        if (opts.output === 'table') process.stderr.write(`${series.length} series\n`);
        return;
      }
      const req: QueryRequest = {
        query,
        since: opts.since,
        from: opts.from,
        to: opts.to,
        limit: Number(opts.limit),
        direction: opts.direction,
      };
      const client = remoteClient(opts);
      let docs: string[];
      if (client) {
        const params = new URLSearchParams({ query, limit: opts.limit, direction: opts.direction });
        for (const k of ['since', 'from', 'to'] as const) if (opts[k]) params.set(k, opts[k]!);
        const res = await client.json<{ events: unknown[] }>('GET', `api/v1/query?${params}`);
        docs = res.events.map((e) => JSON.stringify(e));
      } else {
        docs = await localQuery(opts, req);
      }
      const lines = render(docs, opts.output, process.stdout.columns ?? 160);
      process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
      if (opts.output === 'table') process.stderr.write(`${docs.length} events\n`);
    });
  addRemoteFlags(cmd);
  addConfigFlags(cmd);
}

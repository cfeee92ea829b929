/**
 * `vigil tail '<logql>'` — follows new events live from a running server.
 * It polls GET /api/v1/query (the ECS view, full LogQL) every `--interval`:
 * each poll reads the newest events of the look-back window and prints, oldest
 * first, those committed after the last one printed (`vigil.seq` only grows
 * in commit order, so late-arriving events with old timestamps still show as
 * long as they fall inside `--window`). If more than `--batch` events arrive
 * between two polls, the oldest of them are skipped and stderr says so, as
 * Loki's tail reports dropped entries. (Every poll is an audited read. Loki
 * clients use the websocket /loki/api/v1/tail instead, which serves Loki's
 * lines without `vigil.seq`.)
 */
import { Option, type Command } from 'commander';
import { CliError } from '../errors.js';
import { OUTPUTS, render, type OutputFormat } from '../output.js';
import { addRemoteFlags, remoteClient, type RemoteFlags } from './remote.js';

interface TailFlags extends RemoteFlags {
  interval: string;
  window: string;
  batch: string;
  limit: string;
  output: OutputFormat;
}

type Ev = { vigil: { seq: number } };

export interface TailState {
  lastSeq: number;
}

/**
 * The events of one poll (newest first, as the API returns them) still to
 * print, oldest first; `gap` when the page was full of new events, so some
 * older new ones may not have been read.
 */
export function newEvents(events: Ev[], state: TailState, batch: number): { fresh: Ev[]; gap: boolean } {
  const fresh = events.filter((e) => e.vigil.seq > state.lastSeq).sort((a, b) => a.vigil.seq - b.vigil.seq);
  const gap = events.length >= batch && fresh.length === events.length;
  if (fresh.length) state.lastSeq = fresh[fresh.length - 1].vigil.seq;
  return { fresh, gap };
}

export function tailCommand(program: Command): void {
  const cmd = program
    .command('tail')
    .description('Follow new events matching a LogQL log query, live, from a running server (--server, --token)')
    .argument('<query>', 'LogQL log query, e.g. \'{dataset="kubernetes.audit_logs"} | json | event_action="delete"\'')
    .option('--interval <duration>', 'how often to poll', '1s')
    .option('--window <duration>', 'look-back of each poll: events arriving with older timestamps are not shown', '1h')
    .option('--batch <n>', 'most events read per poll', '1000')
    .option('--limit <n>', 'events shown from before the start', '10')
    .addOption(new Option('-o, --output <format>', 'output format').choices([...OUTPUTS.filter((o) => o !== 'json')]).default('ndjson'))
    .action(async (query: string, opts: TailFlags) => {
      const client = remoteClient(opts);
      if (!client) throw new CliError('vigil tail follows a running server: pass --server URL --token TOKEN (or VIGIL_SERVER, VIGIL_TOKEN)');
      const { parseDurationNs } = await import('../../model/time.js');
      const interval = parseDurationNs(opts.interval);
      if (!interval || interval <= 0n) throw new CliError(`--interval: not a duration: ${opts.interval}`);
      const poll = async (limit: number) => {
        const params = new URLSearchParams({ query, since: opts.window, limit: String(limit), direction: 'backward' });
        return (await client.json<{ events: Ev[] }>('GET', `api/v1/query?${params}`)).events;
      };
      const state: TailState = { lastSeq: -1 };
      let header = opts.output === 'csv';
      const print = (events: Ev[]) => {
        if (!events.length) return;
        let lines = render(events.map((e) => JSON.stringify(e)), opts.output, process.stdout.columns ?? 160);
        if ((opts.output === 'csv' || opts.output === 'table') && !header) lines = lines.slice(1);
        header = false;
        process.stdout.write(`${lines.join('\n')}\n`);
      };
      // Start: the last --limit events, then everything after them.
      const first = await poll(Math.max(1, Number(opts.limit)));
      const initial = newEvents(first, state, Infinity);
      print(Number(opts.limit) > 0 ? initial.fresh : []);
      if (!first.length) state.lastSeq = 0;
      let stopped = false;
      const stop = () => {
        stopped = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      while (!stopped) {
        await new Promise((r) => setTimeout(r, Number(interval / 1_000_000n)));
        if (stopped) break;
        const { fresh, gap } = newEvents(await poll(Number(opts.batch)), state, Number(opts.batch));
        if (gap) process.stderr.write(`vigil tail: more than --batch ${opts.batch} events arrived within --interval ${opts.interval}; older ones were skipped\n`);
        print(fresh);
      }
    });
  addRemoteFlags(cmd);
}

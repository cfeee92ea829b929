/** `vigil normalize` — print records as the normalized ECS events Vigil would store, without storing them. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

export function normalizeCommand(program: Command): void {
  program
    .command('normalize')
    .description('Print audit records normalized to ECS (NDJSON) without storing them, to check a mapping')
    .argument('[files...]', 'input files; - or nothing for stdin')
    .option('-f, --format <format>', 'input format: app, gdch-proxy, kubernetes-audit, auditd, ecs, generic, or auto (per line)', 'auto')
    .option('--no-original', 'leave out event.original')
    .action(async (files: string[], opts: { format: string; original: boolean }) => {
      const [{ getFormat }, { decodeWithFormat }, { nowNs }] = await Promise.all([
        import('../../formats/registry.js'),
        import('../../ingest/format-decode.js'),
        import('../../model/time.js'),
      ]);
      let format;
      try {
        format = getFormat(opts.format);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      let rejected = 0;
      for (const file of files.length ? files : ['-']) {
        const body = file === '-' ? await readStdin() : await readFile(file);
        const name = file === '-' ? 'stdin' : file;
        const { records, errors } = decodeWithFormat(format, body, {
          maxRecordBytes: Number.MAX_SAFE_INTEGER,
          keepOriginal: opts.original,
          defaultTimeNs: nowNs(),
        });
        const out = records.map((r) => JSON.stringify(r.value));
        if (out.length) process.stdout.write(out.join('\n') + '\n');
        for (const e of errors) process.stderr.write(`${name}:${e.line}: byte ${e.offset}: ${e.path ? `${e.path}: ` : ''}${e.reason}\n`);
        rejected += errors.length;
      }
      if (rejected > 0) process.exitCode = 1;
    });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** `vigil serve` — run the server on the embedded store. */
import type { Command } from 'commander';
import { addConfigFlags, configFrom } from '../config-flags.js';

export function serveCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .description('Run the Vigil server: HTTP ingest and query on the embedded store')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const { startServer } = await import('../../runtime/server.js');
      const running = await startServer(config);
      const out = process.stderr;
      out.write(`vigil ${program.version()} listening on ${running.url} (data: ${config.data_dir})\n`);
      for (const w of running.warnings) out.write(`warning: ${w}\n`);
      if (running.adminTokenFile) out.write(`created the admin token: ${running.adminTokenFile} (keep it secret)\n`);
      else if (config.server.auth === 'token') out.write(`admin token: see ${config.data_dir}/admin.token, or create tokens with 'vigil token create'\n`);
      let signals = 0;
      const shutdown = (signal: string) => {
        if (signals++ > 0) {
          out.write(`${signal} again: exiting without finishing\n`);
          process.exit(130);
        }
        out.write(`${signal}: finishing in-flight batches and closing the store…\n`);
        running.stop().then(
          () => process.exit(0),
          (err: Error) => {
            out.write(`shutdown failed: ${err.message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
  addConfigFlags(cmd, true);
}

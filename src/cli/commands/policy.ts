/** `vigil policy check` — dry-run a Kubernetes audit policy over recorded events before rolling it out. */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';

export function policyCommand(program: Command): void {
  const policy = program.command('policy').description('Work with Kubernetes audit policies (audit.k8s.io/v1 Policy)');
  policy
    .command('check')
    .description('Dry-run a policy over audit events: per-rule hits, levels, kept/dropped, bytes saved')
    .requiredOption('--policy <file>', 'Policy YAML file; repeat for several (rules are concatenated in order)', (f: string, prev: string[] = []) => [...prev, f])
    .addOption(new Option('-o, --output <format>', 'table: per-rule summary; ndjson: one decision per input event').choices(['table', 'ndjson']).default('table'))
    .argument('[files...]', 'audit events: JSON lines as the API server log backend writes them, or an EventList; - or nothing for stdin')
    .action(async (files: string[], opts: { policy: string[]; output: 'table' | 'ndjson' }) => {
      const { loadPolicies, PolicyChecker, formatCheckRecord, formatTable, inputsFromText } = await import('../../policy/k8s/index.js');
      const compiled = await loadPolicies(opts.policy);
      const checker = new PolicyChecker(compiled);
      const out: string[] = [];
      for (const file of files.length ? files : ['-']) {
        const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
        for (const input of inputsFromText(text)) {
          for (const r of checker.add(input)) if (opts.output === 'ndjson') out.push(formatCheckRecord(r));
          if (out.length >= 4096) process.stdout.write(out.splice(0).join('\n') + '\n');
        }
      }
      const summary = checker.summary();
      if (opts.output === 'ndjson') {
        if (out.length) process.stdout.write(out.join('\n') + '\n');
      } else {
        process.stdout.write(formatTable(summary) + '\n');
      }
      for (const bad of summary.invalid) process.stderr.write(`skipped input ${bad.index}: ${bad.reason}\n`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** `npm run fuzz [runs]`: generated and mutated inputs through every decoder; exits 1 on any crash. */
import { fuzzAuditd } from './auditd/fuzz.js';
import { fuzzFormats } from './formats/fuzz.js';
import { fuzzIngest } from './fuzz-ingest.js';

const runs = Number(process.argv[2] ?? 100_000);
let failed = false;
try {
  for (const r of fuzzFormats(runs)) process.stdout.write(`${r.format}: ${r.runs} inputs, ${r.events} events, ${r.rejected} rejected with FormatError\n`);
} catch (err) {
  failed = true;
  process.stdout.write(`FAILED: ${(err as Error).message}\n`);
}
const a = fuzzAuditd(runs);
process.stdout.write(`auditd: ${a.runs} inputs, ${a.lines} lines, ${a.events} events, ${a.rejected} rejected, slowest ${a.slowestMs.toFixed(0)} ms, ${a.failures.length} failures\n`);
for (const f of a.failures.slice(0, 5)) process.stdout.write(`  ${JSON.stringify(f)}\n`);
const ingest = await fuzzIngest(runs);
process.stdout.write(ingest.report);
if (failed || a.failures.length > 0 || !ingest.ok) process.exitCode = 1;

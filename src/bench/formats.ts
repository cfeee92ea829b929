/**
 * Format benchmarks: parse + normalize events/s per format next to JSON.parse
 * of the same lines, and auditd next to `ausearch --input FILE --format csv`
 * (Debian package auditd) over the same generated log, timed in this run.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchFormats } from './formats/throughput.js';
import { benchAuditd } from './auditd/throughput.js';
import { generateAuditdLog } from './auditd/generate.js';
import { tempDir } from '../testing/events.js';
import { printFigure } from './report.js';

export function benchFormatsAll(auditdEvents: number): void {
  process.stdout.write('formats: parse + normalize to ECS, in process, event.original kept\n');
  for (const r of benchFormats()) {
    printFigure({ name: `format ${r.format}`, value: r.eventsPerSec, unit: 'ev/s', baseline: { name: 'JSON.parse', value: r.jsonParsePerSec }, target: { ratio: 0.5 } });
  }
  const auditd = benchAuditd(auditdEvents, 3);
  const file = join(tempDir('vigil-bench-auditd-'), 'audit.log');
  writeFileSync(file, generateAuditdLog(auditdEvents).join('\n') + '\n');
  const t0 = performance.now();
  const r = spawnSync('ausearch', ['--input', file, '--format', 'csv'], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) {
    printFigure({ name: `format auditd (${auditd.lines} lines)`, value: auditd.eventsPerSec, unit: 'ev/s' });
    process.stdout.write('  (ausearch not found: apt-get install auditd for the baseline)\n');
    return;
  }
  printFigure({
    name: `format auditd (${auditd.lines} lines)`,
    value: auditd.eventsPerSec,
    unit: 'ev/s',
    baseline: { name: 'ausearch --format csv', value: auditdEvents / seconds },
    target: { ratio: 1 },
  });
}

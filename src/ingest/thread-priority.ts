/**
 * Lowers the CPU priority of the calling thread alone. Ingest is a pipeline:
 * decoding threads do most of the work in parallel, while one serial stage
 * (HTTP, staging into DuckDB, the group commit, and queries) runs on the main
 * thread and DuckDB's. With every core busy decoding, the serial stage waited
 * its turn, commits took longer, clients' next requests came later, and
 * decoding threads then sat idle: a lower priority for the decoders keeps the
 * serial stage moving, queries included (see docs/architecture.md for what
 * it measured).
 *
 * Linux applies `setpriority` to one thread when given its thread id, which
 * /proc/thread-self names. Elsewhere this does nothing.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Raises this thread's nice value by `increment` (capped at 19). It never
 * throws: a decoding thread that cannot lower its priority (no
 * /proc/thread-self, a sandbox refusing the call) still decodes.
 */
export function lowerThreadPriority(increment: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + increment));
  } catch {
    // keeps the default priority
  }
}

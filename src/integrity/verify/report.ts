/** What a verification found: success with what it covered, or the first failure, named. */

/**
 * The kinds of failure `vigil verify` names:
 *  - modified:          a stored event differs from the one sealed at its seq
 *  - deleted:           a sealed event is missing (and no sealed retention record covers it)
 *  - inserted:          an event is stored that was never sealed at its seq
 *  - reordered:         an event sealed at one seq is stored at another
 *  - forged-checkpoint: a checkpoint whose signature, origin or contents do not hold
 *  - tree:              the stored tree (nodes, head) does not match the events it was built from
 *  - unsealed:          the store holds events the tree does not (sealing was off)
 */
export type FailureKind = 'modified' | 'deleted' | 'inserted' | 'reordered' | 'forged-checkpoint' | 'tree' | 'unsealed';

export interface VerifyFailure {
  kind: FailureKind;
  /** The first sequence number that fails (for a checkpoint: the first seq it covers that does not hold). */
  seq: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Tree size verified (events ever sealed). */
  size: number;
  /** Events whose leaf was recomputed from the stored event. */
  events: number;
  /** Sequence ranges retention deleted (their stored leaf hashes were used). */
  pruned: { events: number; ranges: [number, number][] };
  /** Checkpoints whose signature and root were checked. */
  checkpoints: number;
  /** Root hash of the verified tree, hex. */
  root: string;
  failure?: VerifyFailure;
  seconds: number;
}

/**
 * A fresh report and the function that closes it: `done(failure?)` sets the
 * outcome and the elapsed time since this call, and returns the report.
 */
export function startReport(): { report: VerifyReport; done: (failure?: VerifyFailure) => VerifyReport } {
  const started = performance.now();
  const report: VerifyReport = { ok: false, size: 0, events: 0, pruned: { events: 0, ranges: [] }, checkpoints: 0, root: '', seconds: 0 };
  const done = (failure?: VerifyFailure) => {
    report.ok = !failure;
    if (failure) report.failure = failure;
    report.seconds = (performance.now() - started) / 1000;
    return report;
  };
  return { report, done };
}

export class VerifyError extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
    this.name = 'VerifyError';
  }
}

/** One line for people: `OK: …` or `FAILED at seq N: <kind> — <why>`. */
export function describeReport(r: VerifyReport): string {
  if (r.failure) return `FAILED at seq ${r.failure.seq}: ${r.failure.kind.replace('-', ' ')} — ${r.failure.message}`;
  const rate = r.seconds > 0 ? `, ${Math.round((r.events + r.pruned.events) / r.seconds).toLocaleString('en-US')} events/s` : '';
  const pruned = r.pruned.events
    ? `; ${r.pruned.events} pruned by retention (${r.pruned.ranges.map(([a, b]) => (b - a === 1 ? `${a}` : `${a}–${b - 1}`)).slice(0, 5).join(', ')}${r.pruned.ranges.length > 5 ? ', …' : ''}), leaf hashes kept`
    : '';
  return `OK: ${r.size} events, ${r.checkpoints} signed checkpoints, root ${r.root}${pruned} (${r.seconds.toFixed(1)} s${rate})`;
}

/**
 * A body the ingest path cannot read at all, by kind (problems of single
 * records are RecordErrors instead). Only the kind and the message cross the
 * decoding threads' boundary (prepare-pool.ts); the server maps kinds to
 * statuses.
 */
export type IngestErrorKind =
  /** Not readable as the body it should be (invalid JSON, not an EventList, a corrupt compression). */
  | 'bad-body'
  /** Larger than allowed once decompressed. */
  | 'too-large'
  /** A Content-Encoding (or similar framing) this source does not read. */
  | 'unsupported-encoding';

export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly kind: IngestErrorKind,
    message: string,
  ) {
    super(message);
  }
}

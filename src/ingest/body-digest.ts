/**
 * The digest of a request body, for idempotency keys derived from content
 * (a Kubernetes webhook batch is retried byte for byte, so its digest names
 * it). A megabyte-sized webhook body costs milliseconds to hash, so this runs
 * where the body is decoded, on a decoding thread, not on the main thread.
 */
import { createHash } from 'node:crypto';

/** SHA-256 of the body, hex. */
export const bodyDigest = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex');

/** Prometheus metrics of one Vigil process (own registry, so tests can run several). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommitObserver } from '../ingest/group-commit.js';
import type { IngestObserver } from '../ingest/service.js';
import type { Store } from '../store/store.js';

export class Metrics implements IngestObserver, CommitObserver {
  readonly registry = new Registry();
  private readonly acceptedTotal = new Counter({
    name: 'vigil_events_accepted_total',
    help: 'Events durably stored, by ingest source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly rejectedTotal = new Counter({
    name: 'vigil_events_rejected_total',
    help: 'Records rejected (and written to the dead-letter file), by ingest source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly excludedTotal = new Counter({
    name: 'vigil_events_excluded_total',
    help: 'Events dropped before storage because their category is excluded (exclude_categories)',
    labelNames: ['category'],
    registers: [this.registry],
  });
  private readonly batchEvents = new Histogram({
    name: 'vigil_commit_batch_events',
    help: 'Events per group commit',
    buckets: [1, 10, 100, 1000, 5000, 10000, 20000, 50000],
    registers: [this.registry],
  });
  private readonly batchRequests = new Histogram({
    name: 'vigil_commit_batch_requests',
    help: 'Ingest requests merged into one group commit',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });
  private readonly commitSeconds = new Histogram({
    name: 'vigil_commit_duration_seconds',
    help: 'Time to append and durably commit one group commit',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor(store: Store, backlogBytes: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_process_' });
    new Gauge({
      name: 'vigil_store_size_bytes',
      help: 'Size of the store on disk (database and WAL)',
      registers: [this.registry],
      async collect() {
        this.set((await store.stats()).bytes);
      },
    });
    new Gauge({
      name: 'vigil_store_events',
      help: 'Events in the store (the next sequence number)',
      registers: [this.registry],
      collect() {
        this.set(store.nextSeq());
      },
    });
    new Gauge({
      name: 'vigil_ingest_backlog_bytes',
      help: 'Event bytes waiting for a group commit',
      registers: [this.registry],
      collect() {
        this.set(backlogBytes());
      },
    });
  }

  accepted(n: number, source: string): void {
    if (n > 0) this.acceptedTotal.inc({ source }, n);
  }

  rejected(n: number, source: string): void {
    if (n > 0) this.rejectedTotal.inc({ source }, n);
  }

  excluded(category: string, n: number): void {
    this.excludedTotal.inc({ category }, n);
  }

  committed(events: number, requests: number, seconds: number): void {
    this.batchEvents.observe(events);
    this.batchRequests.observe(requests);
    this.commitSeconds.observe(seconds);
  }
}

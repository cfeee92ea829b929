/**
 * The sources a server runs, from the config's `sources:` list: each entry's
 * `type` picks its source file's config schema and factory. Without the key,
 * the three HTTP sources run, as before the list existed.
 */
import { Type, type Static } from '@sinclair/typebox';
import { httpEcsSource, HttpEcsConfig } from './http-ecs.js';
import { kubernetesWebhookSource, KubernetesWebhookConfig } from './kubernetes-webhook.js';
import { lokiPushSource, LokiPushConfig } from './loki-push.js';
import type { Source } from './source.js';

export const SourcesSchema = Type.Array(Type.Union([HttpEcsConfig, KubernetesWebhookConfig, LokiPushConfig]), {
  default: [{ type: 'http-ecs' }, { type: 'kubernetes-webhook' }, { type: 'loki-push' }],
  description:
    'Where events come from, one entry per source, each `{type: …}`: `http-ecs` (POST /api/v1/events), `kubernetes-webhook` (POST /api/v1/k8s/audit), `loki-push` (POST /loki/api/v1/push). A route whose source is not listed is not served',
});

export type SourceConfig = Static<typeof SourcesSchema>[number];

function createSource(config: SourceConfig): Source {
  switch (config.type) {
    case 'http-ecs':
      return httpEcsSource(config);
    case 'kubernetes-webhook':
      return kubernetesWebhookSource(config);
    case 'loki-push':
      return lokiPushSource(config);
  }
}

/** The configured sources; a type listed twice is refused (its routes would clash). */
export function createSources(configs: readonly SourceConfig[]): Source[] {
  const seen = new Set<string>();
  return configs.map((c) => {
    if (seen.has(c.type)) throw new Error(`sources: ${c.type} is listed twice`);
    seen.add(c.type);
    return createSource(c);
  });
}

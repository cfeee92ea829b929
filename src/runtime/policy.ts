/** Policy loading for a running Vigil (server and CLI alike). */
import type { Config } from '../config/load.js';
import { loadPolicies, type CompiledPolicy } from '../policy/k8s/index.js';

/** The configured Kubernetes audit policy, or undefined to keep every event. */
export async function loadK8sPolicy(config: Config): Promise<CompiledPolicy | undefined> {
  return config.kubernetes.policy.length ? loadPolicies(config.kubernetes.policy) : undefined;
}

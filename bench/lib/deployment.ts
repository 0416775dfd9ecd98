import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The NODE_OPTIONS a service's Kubernetes Deployment sets (k8s/base/<name>.yaml), so the benchmark
 * runs each service with the V8 settings it is deployed with; undefined where it sets none.
 */
export function deployedNodeOptions (name: string, root = join(import.meta.dirname, '..', '..')): string | undefined {
  const manifest = readFileSync(join(root, 'k8s', 'base', `${name}.yaml`), 'utf8')
  const match = /- name: NODE_OPTIONS\s*\n\s*value:\s*"?([^"\n]+)"?/.exec(manifest)
  return match?.[1]?.trim()
}

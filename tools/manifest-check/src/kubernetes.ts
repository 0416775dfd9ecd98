import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1'
import * as appsV1 from 'kubernetes-models/apps/v1'
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2'
import * as batchV1 from 'kubernetes-models/batch/v1'
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1'
import * as policyV1 from 'kubernetes-models/policy/v1'
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1'
import * as coreV1 from 'kubernetes-models/v1'
import { isRecord } from './yaml.js'

/** A Kubernetes object as it comes out of a manifest. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: { name: string, namespace?: string, labels?: Record<string, string>, annotations?: Record<string, string> }
  [field: string]: unknown
}

interface ModelClass {
  apiVersion: string
  kind: string
  new (data: unknown): { validate(): void }
}

/**
 * The API groups our manifests may use, each with the JSON schemas kubernetes-models generated from
 * the Kubernetes OpenAPI (and, for KEDA, from its CRDs). An apiVersion/kind outside this list is an
 * error rather than silently unchecked: add its module here when a manifest needs it.
 */
const groups: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'batch/v1': batchV1,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'keda.sh/v1alpha1': keda
}

function modelFor (apiVersion: string, kind: string): ModelClass | undefined {
  const candidate = groups[apiVersion]?.[kind]
  if (typeof candidate !== 'function') return undefined
  const model = candidate as unknown as ModelClass
  return model.apiVersion === apiVersion && model.kind === kind ? model : undefined
}

export function isKubeObject (value: unknown): value is KubeObject {
  return isRecord(value) && typeof value.apiVersion === 'string' && typeof value.kind === 'string' &&
    isRecord(value.metadata) && typeof value.metadata.name === 'string'
}

export function describeObject (object: KubeObject): string {
  return `${object.apiVersion}/${object.kind} ${object.metadata.name}`
}

/** Schema problems of one object (empty when valid), each prefixed with what the object is. */
export function validateKubeObject (value: unknown): string[] {
  if (!isKubeObject(value)) return ['not a Kubernetes object (apiVersion, kind and metadata.name are required)']
  const model = modelFor(value.apiVersion, value.kind)
  if (!model) return [`${describeObject(value)}: no schema known for ${value.apiVersion}/${value.kind}`]
  try {
    new model(value).validate() // eslint-disable-line new-cap -- a class from a lookup table
    return []
  } catch (err) {
    return [`${describeObject(value)}: ${(err as Error).message}`]
  }
}

import { existsSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { applyJsonPatch, isPatchOperation, type PatchOperation } from './json-patch.js'
import { describeObject, isKubeObject, type KubeObject } from './kubernetes.js'
import { isRecord, readYamlDocument, readYamlDocuments } from './yaml.js'

/**
 * The subset of kustomize (v5) our k8s/ tree uses, so CI can render an overlay without the
 * kustomize binary: resources (files and directories), components, namespace, images and
 * JSON 6902 patches with a target. Any other field is refused instead of being ignored, so a
 * kustomization that uses more than this fails here first; extend this file, or validate with
 * the real `kubectl kustomize`, when an overlay needs more.
 */
const supported = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'images', 'patches'])

/** Kinds that live outside namespaces among those we might render (namespace is not set on them). */
const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'IngressClass'])

export interface Rendered {
  objects: KubeObject[]
  /** Every file read, so a caller can tell which manifests no kustomization uses. */
  files: Set<string>
}

interface Kustomization {
  file: string
  kind: 'Kustomization' | 'Component'
  resources: string[]
  components: string[]
  namespace?: string
  images: ImageRule[]
  patches: Array<{ path: string, target: { kind?: string, name?: string } }>
}

interface ImageRule { name: string, newName?: string, newTag?: string, digest?: string }

export function findKustomizationFile (dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const file = join(dir, name)
    if (existsSync(file)) return file
  }
  throw new Error(`${dir}: no kustomization.yaml`)
}

/** Renders the kustomization in `dir` as `kustomize build dir` would, for the supported subset. */
export function renderKustomization (dir: string): Rendered {
  const files = new Set<string>()
  return { objects: build(resolve(dir), files, 'Kustomization'), files }
}

function build (dir: string, files: Set<string>, expected: Kustomization['kind']): KubeObject[] {
  const k = readKustomization(findKustomizationFile(dir), files)
  if (k.kind !== expected) throw new Error(`${k.file}: expected kind ${expected}, found ${k.kind}`)
  let objects: KubeObject[] = []
  for (const entry of k.resources) objects.push(...loadResource(join(dir, entry), files, k.file))
  for (const entry of k.components) {
    // a component sees, and may patch, everything accumulated so far
    const component = readKustomization(findKustomizationFile(join(dir, entry)), files)
    if (component.kind !== 'Component') throw new Error(`${k.file}: ${entry} is not a Component`)
    objects = transform(component, [...objects, ...component.resources.flatMap((r) => loadResource(join(dir, entry, r), files, component.file))], files)
  }
  objects = transform(k, objects, files)
  const seen = new Set<string>()
  for (const o of objects) {
    const id = `${describeObject(o)} in ${o.metadata.namespace ?? '(default)'}`
    if (seen.has(id)) throw new Error(`${k.file}: ${id} appears twice`)
    seen.add(id)
  }
  return objects
}

function transform (k: Kustomization, input: KubeObject[], files: Set<string>): KubeObject[] {
  let objects = input
  for (const patch of k.patches) {
    const file = join(dirname(k.file), patch.path)
    insideRoot(file, k.file)
    files.add(file)
    const ops = readYamlDocument(file)
    if (!Array.isArray(ops) || !ops.every(isPatchOperation)) {
      throw new Error(`${file}: only JSON 6902 patches (a list of add/replace/remove operations) are supported`)
    }
    const matches = (o: KubeObject) => (!patch.target.kind || o.kind === patch.target.kind) && (!patch.target.name || o.metadata.name === patch.target.name)
    if (!objects.some(matches)) throw new Error(`${k.file}: patch ${patch.path} matches no object`)
    objects = objects.map((o) => matches(o) ? patchObject(o, ops, file) : o)
  }
  if (k.namespace) {
    const namespace = k.namespace
    objects = objects.map((o) => clusterScoped.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace } })
  }
  if (k.images.length > 0) objects = objects.map((o) => setImages(o, k.images))
  return objects
}

function patchObject (object: KubeObject, ops: PatchOperation[], file: string): KubeObject {
  try {
    return applyJsonPatch(object, ops)
  } catch (err) {
    throw new Error(`${file} on ${describeObject(object)}: ${(err as Error).message}`)
  }
}

function loadResource (path: string, files: Set<string>, from: string): KubeObject[] {
  if (!existsSync(path)) throw new Error(`${from}: resource ${path} does not exist`)
  if (statSync(path).isDirectory()) return build(path, files, 'Kustomization')
  insideRoot(path, from)
  files.add(path)
  return readYamlDocuments(path).map((doc, i) => {
    if (!isKubeObject(doc)) throw new Error(`${path}: document ${i + 1} is not a Kubernetes object`)
    return doc
  })
}

/** kustomize's default load restrictor: files (not other kustomizations) must sit under the kustomization's folder. */
function insideRoot (file: string, kustomizationFile: string): void {
  const rel = relative(dirname(kustomizationFile), file)
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${kustomizationFile}: ${file} is outside the kustomization root (refer to its folder's kustomization instead)`)
}

function readKustomization (file: string, files: Set<string>): Kustomization {
  files.add(file)
  const doc = readYamlDocument(file)
  if (!isRecord(doc)) throw new Error(`${file}: not a mapping`)
  const unknown = Object.keys(doc).filter((key) => !supported.has(key))
  if (unknown.length > 0) throw new Error(`${file}: unsupported kustomization fields ${unknown.join(', ')} (see tools/manifest-check/src/kustomize.ts)`)
  const kind = doc.kind ?? 'Kustomization'
  if (kind !== 'Kustomization' && kind !== 'Component') throw new Error(`${file}: unknown kind ${String(kind)}`)
  const list = (key: string): unknown[] => {
    const value = doc[key] ?? []
    if (!Array.isArray(value)) throw new Error(`${file}: ${key} must be a list`)
    return value
  }
  const strings = (key: string) => list(key).map((v) => {
    if (typeof v !== 'string') throw new Error(`${file}: ${key} entries must be paths`)
    return v
  })
  const images = list('images').map((v) => {
    if (!isRecord(v) || typeof v.name !== 'string') throw new Error(`${file}: images entries need a name`)
    return v as unknown as ImageRule
  })
  const patches = list('patches').map((v) => {
    if (!isRecord(v) || typeof v.path !== 'string' || !isRecord(v.target)) {
      throw new Error(`${file}: patches entries need a path and a target (inline patches are not supported)`)
    }
    return { path: v.path, target: v.target as { kind?: string, name?: string } }
  })
  if (doc.namespace !== undefined && typeof doc.namespace !== 'string') throw new Error(`${file}: namespace must be a string`)
  return {
    file,
    kind,
    resources: strings('resources'),
    components: strings('components'),
    ...(typeof doc.namespace === 'string' && { namespace: doc.namespace }),
    images,
    patches
  }
}

/** kustomize's images transformer: rewrites `name[:tag][@digest]` in every container of a pod template. */
function setImages (object: KubeObject, rules: ImageRule[]): KubeObject {
  const copy = structuredClone(object)
  for (const container of podContainers(copy)) {
    if (typeof container.image !== 'string') continue
    const name = container.image.replace(/@.*$/, '').replace(/:[^/:]+$/, '')
    const rule = rules.find((r) => r.name === name)
    if (!rule) continue
    const tag = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : container.image.slice(name.length)
    container.image = `${rule.newName ?? name}${tag}`
  }
  return copy
}

/** The containers and init containers of a Pod, of a workload's pod template, or of a CronJob's. */
export function podContainers (object: KubeObject): Array<Record<string, unknown>> {
  const spec = podSpec(object)
  if (!spec) return []
  return ['initContainers', 'containers'].flatMap((key) => Array.isArray(spec[key]) ? spec[key].filter(isRecord) : [])
}

export function podSpec (object: KubeObject): Record<string, unknown> | undefined {
  const spec = object.spec
  if (!isRecord(spec)) return undefined
  if (object.kind === 'Pod') return spec
  const template = object.kind === 'CronJob' && isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec)
    ? spec.jobTemplate.spec.template
    : spec.template
  return isRecord(template) && isRecord(template.spec) ? template.spec : undefined
}

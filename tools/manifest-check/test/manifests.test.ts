import t from 'tap'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { DEMO_APP } from '@m365/m365-simulator'
import {
  describeObject, isRecord, podContainers, podSpec, readComposeFile, readYamlDocument, renderKustomization,
  validateCompose, validateKubeObject, type KubeObject
} from '../src/index.js'
import {
  ingressControllerNamespace, internalUrlVariables, kedaConsumer, migratingServices, prometheusNamespace, publicServices,
  requiredEnv, root, secretVariables, services, simulators, type ServiceName
} from './expectations.js'

// ---- helpers ---------------------------------------------------------------------------------

type Json = Record<string, unknown>

/** The value at a path of keys and indexes, or undefined. */
function at (value: unknown, ...path: Array<string | number>): unknown {
  let current = value
  for (const key of path) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined
    else current = isRecord(current) ? current[key] : undefined
  }
  return current
}
const record = (value: unknown): Json => isRecord(value) ? value : {}
const list = (value: unknown): unknown[] => Array.isArray(value) ? value : []

function yamlFilesUnder (dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
}

const k8s = join(root, 'k8s')

/** k8s/base with one of k8s/components, as an overlay that includes the component renders it. */
function baseWithComponent (component: string) {
  const dir = mkdtempSync(join(tmpdir(), 'overlay-'))
  try {
    writeFileSync(join(dir, 'kustomization.yaml'), [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${relative(dir, join(k8s, 'base'))}]`,
      `components: [${relative(dir, join(k8s, 'components', component))}]`
    ].join('\n'))
    return renderKustomization(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const renders = {
  base: renderKustomization(join(k8s, 'base')),
  example: renderKustomization(join(k8s, 'overlays/example')),
  migrate: renderKustomization(join(k8s, 'overlays/example/migrate')),
  mspCertificate: baseWithComponent('msp-certificate')
}
const objects = renders.example.objects
const find = (kind: string, name: string, from: KubeObject[] = objects) => from.find((o) => o.kind === kind && o.metadata.name === name)
const ofKind = (kind: string, from: KubeObject[] = objects) => from.filter((o) => o.kind === kind)
const labelsOf = (o: KubeObject | undefined) => record(at(o, 'spec', 'template', 'metadata', 'labels'))
const matches = (selector: unknown, labels: Json) =>
  isRecord(selector) && Object.entries(record(selector.matchLabels)).every(([k, v]) => labels[k] === v) &&
  list(selector.matchExpressions).length === 0

const compose = record(readComposeFile(join(root, 'docker-compose.yml')))
const composeServices = record(compose.services)
const configMap = find('ConfigMap', 'm365-config')
const exampleSecret = find('Secret', 'm365-secrets')

/** The environment variable names a Deployment's container gets, and the secret keys it reads. */
function containerEnv (container: Json): { names: Set<string>, secretRefs: Array<{ variable: string, secret: string, key: string }> } {
  const names = new Set<string>()
  const secretRefs: Array<{ variable: string, secret: string, key: string }> = []
  for (const source of list(container.envFrom)) {
    const cm = at(source, 'configMapRef', 'name')
    if (typeof cm !== 'string') continue
    for (const key of Object.keys(record(at(find('ConfigMap', cm), 'data')))) names.add(key)
  }
  for (const entry of list(container.env)) {
    const name = String(at(entry, 'name'))
    names.add(name)
    const ref = at(entry, 'valueFrom', 'secretKeyRef')
    if (isRecord(ref)) secretRefs.push({ variable: name, secret: String(ref.name), key: String(ref.key) })
  }
  return { names, secretRefs }
}

const firstContainer = (o: KubeObject | undefined): Json => o ? podContainers(o)[0] ?? {} : {}

// ---- schemas -----------------------------------------------------------------------------------

t.test('docker-compose.yml follows the Compose Specification (JSON schema)', async (t) => {
  t.same(validateCompose(compose), [], 'no schema errors')
})

t.test('every rendered Kubernetes object validates against its apiVersion/kind schema', async (t) => {
  for (const [name, rendered] of Object.entries(renders)) {
    t.ok(rendered.objects.length > 0, `${name} renders objects`)
    t.same(rendered.objects.flatMap(validateKubeObject), [], `${name}: every object is valid (KEDA ScaledObject against its CRD schema)`)
  }
  t.ok(find('ScaledObject', 'graph-sync'), 'the KEDA ScaledObject is part of the example overlay, so it was validated')
})

t.test('every YAML file under k8s/ is used by a kustomization', async (t) => {
  const used = new Set(Object.values(renders).flatMap((r) => [...r.files]))
  const unused = yamlFilesUnder(k8s).filter((f) => !used.has(f)).map((f) => relative(root, f))
  t.same(unused, [], 'no orphan manifests (they would never be validated or applied)')
})

t.test('components/msp-certificate: tenant-auth reads the MSP app\'s certificate from a Secret file instead of a client secret', async (t) => {
  const deployment = find('Deployment', 'tenant-auth', renders.mspCertificate.objects)
  const container = firstContainer(deployment)
  const { names, secretRefs } = containerEnv(container)
  t.ok(names.has('AZURE_CLIENT_CERTIFICATE_PATH'), 'AZURE_CLIENT_CERTIFICATE_PATH set')
  t.notOk(names.has('AZURE_CLIENT_SECRET'), 'no AZURE_CLIENT_SECRET (tenant-auth refuses both)')
  t.same(secretRefs.map((r) => r.variable).sort(), ['AZURE_CLIENT_ID', 'DATABASE_URL', 'ENCRYPTION_KEY'], 'the other secrets as in the base')
  const path = String(at(list(container.env).find((e) => at(e, 'name') === 'AZURE_CLIENT_CERTIFICATE_PATH'), 'value'))
  const mount = list(container.volumeMounts).find((m) => at(m, 'name') === 'msp-certificate')
  t.ok(mount && path.startsWith(`${String(at(mount, 'mountPath'))}/`), `${path} is inside the mounted volume`)
  t.equal(at(mount, 'readOnly'), true)
  const volume = list(at(deployment, 'spec', 'template', 'spec', 'volumes')).find((v) => at(v, 'name') === 'msp-certificate')
  t.same(at(volume, 'secret'), { secretName: 'm365-msp-certificate', defaultMode: 0o440 }, 'from its own Secret, readable by owner and group only')
  const pod = record(at(deployment, 'spec', 'template', 'spec', 'securityContext'))
  t.equal(pod.fsGroup, pod.runAsGroup, 'the group is the non-root user\'s, so it can read the key')
  t.ok(list(container.volumeMounts).some((m) => at(m, 'name') === 'tmp'), 'the base\'s mounts kept')
})

// ---- workloads ----------------------------------------------------------------------------------

t.test('each service has a Deployment, a Service, a PodDisruptionBudget and a NetworkPolicy', async (t) => {
  const deploymentNames = ofKind('Deployment').map((d) => d.metadata.name).sort()
  t.same(deploymentNames, [...services].sort(), 'one Deployment per service, nothing else')
  for (const name of services) {
    const deployment = find('Deployment', name)
    const labels = labelsOf(deployment)
    t.ok(matches(at(deployment, 'spec', 'selector'), labels), `${name}: the selector matches its pod labels`)
    const service = find('Service', name)
    t.ok(service, `${name}: Service`)
    t.ok(Object.entries(record(at(service, 'spec', 'selector'))).every(([k, v]) => labels[k] === v), `${name}: the Service selects its pods`)
    t.same(list(at(service, 'spec', 'ports')).map((p) => at(p, 'targetPort')), ['http'], `${name}: the Service targets the named port`)
    const pdbs = ofKind('PodDisruptionBudget').filter((p) => matches(at(p, 'spec', 'selector'), labels))
    t.equal(pdbs.length, 1, `${name}: exactly one PodDisruptionBudget selects its pods`)
    const policies = ofKind('NetworkPolicy').filter((p) => matches(at(p, 'spec', 'podSelector'), labels) && list(at(p, 'spec', 'ingress')).length > 0)
    t.ok(policies.some((p) => p.metadata.name === name), `${name}: its own NetworkPolicy allows its callers`)
  }
})

t.test('every Deployment: probes, command, image, resources, security', async (t) => {
  const image = at(find('Deployment', 'gateway'), 'spec', 'template', 'spec', 'containers', 0, 'image')
  t.match(image, /^registry\.example\.com\/m365-insight:\d+\.\d+\.\d+$/, 'the overlay pins the image to a version')
  for (const name of services) {
    const deployment = find('Deployment', name)
    if (!deployment) { t.fail(`${name}: no Deployment`); continue }
    const containers = podContainers(deployment)
    t.equal(containers.length, 1, `${name}: one container`)
    const c = firstContainer(deployment)
    t.equal(c.image, image, `${name}: the one shared image`)
    t.same(c.command, ['node', `services/${name}/dist/server.js`], `${name}: runs its own dist/server.js`)
    const port = list(c.ports).find((p) => at(p, 'name') === 'http')
    t.equal(at(port, 'containerPort'), 3000, `${name}: listens on 3000 (PORT)`)
    t.equal(at(c, 'livenessProbe', 'httpGet', 'path'), '/healthz', `${name}: liveness on /healthz`)
    t.equal(at(c, 'readinessProbe', 'httpGet', 'path'), '/readyz', `${name}: readiness on /readyz`)
    t.equal(at(c, 'startupProbe', 'httpGet', 'path'), '/healthz', `${name}: startup on /healthz (migrations run first)`)
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      t.equal(at(c, probe, 'httpGet', 'port'), 'http', `${name}: ${probe} on the http port`)
    }
    for (const kind of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) t.ok(at(c, 'resources', kind, resource), `${name}: ${kind}.${resource}`)
    }
    const spec = podSpec(deployment)
    // Pod Security "restricted": what the example namespace enforces
    t.equal(at(spec, 'securityContext', 'runAsNonRoot'), true, `${name}: runAsNonRoot`)
    t.equal(at(spec, 'securityContext', 'seccompProfile', 'type'), 'RuntimeDefault', `${name}: seccomp RuntimeDefault`)
    t.equal(at(c, 'securityContext', 'readOnlyRootFilesystem'), true, `${name}: read-only root filesystem`)
    t.equal(at(c, 'securityContext', 'allowPrivilegeEscalation'), false, `${name}: no privilege escalation`)
    t.same(at(c, 'securityContext', 'capabilities', 'drop'), ['ALL'], `${name}: drops all capabilities`)
    t.ok(list(c.volumeMounts).some((m) => at(m, 'mountPath') === '/tmp'), `${name}: a writable /tmp`)
    t.equal(at(spec, 'automountServiceAccountToken'), false, `${name}: no API token (it never calls Kubernetes)`)
    t.ok(Number(at(spec, 'terminationGracePeriodSeconds')) >= 20, `${name}: room for the graceful shutdown`)
  }
})

t.test('configuration: ConfigMap + Secret references resolve, each service gets what it needs', async (t) => {
  t.ok(configMap, 'the ConfigMap m365-config exists')
  t.ok(exampleSecret, 'the example Secret m365-secrets exists')
  const secretKeys = new Set(Object.keys(record(at(exampleSecret, 'stringData'))))
  const usedKeys = new Set<string>()
  const workloads = [...ofKind('Deployment'), ...ofKind('Job', renders.migrate.objects)]
  for (const workload of workloads) {
    for (const c of podContainers(workload)) {
      for (const source of list(c.envFrom)) t.ok(find('ConfigMap', String(at(source, 'configMapRef', 'name'))), `${describeObject(workload)}: envFrom a ConfigMap that exists`)
      for (const ref of containerEnv(c).secretRefs) {
        t.equal(ref.secret, 'm365-secrets', `${describeObject(workload)}: ${ref.variable} from m365-secrets`)
        t.ok(secretKeys.has(ref.key), `${describeObject(workload)}: ${ref.variable} reads key ${ref.key}, present in the example Secret`)
        usedKeys.add(ref.key)
      }
    }
  }
  t.same([...secretKeys].filter((k) => !usedKeys.has(k)), [], 'every key of the example Secret is used')
  for (const name of services) {
    const { names, secretRefs } = containerEnv(firstContainer(find('Deployment', name)))
    const missing = requiredEnv[name].filter((v) => !names.has(v))
    t.same(missing, [], `${name}: gets every variable it needs`)
    for (const [variable, allowed] of Object.entries(secretVariables)) {
      if (!names.has(variable)) continue
      t.ok(allowed.includes(name), `${name}: may see ${variable}`)
      t.ok(secretRefs.some((r) => r.variable === variable), `${name}: ${variable} comes from the Secret, not a literal`)
    }
  }
  for (const [variable, url] of Object.entries(record(at(configMap, 'data')))) {
    const target = Object.entries(internalUrlVariables).find(([, v]) => v === variable)?.[0]
    if (target) t.equal(url, `http://${target}:3000`, `${variable} points at the ${target} Service`)
  }
})

t.test('ConfigMaps hold no secrets; the example Secret holds only placeholders', async (t) => {
  const secretish = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|ENCRYPTION_KEY|API_KEY|DATABASE_URL)/i
  const credentialShaped = [
    /:\/\/[^/\s:@]+:[^/\s@]+@/, // user:password@ in a URL
    /^[0-9a-f]{32,}$/i, // hex keys
    /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/,
    /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/, // a JWT
    /^[A-Za-z0-9~._-]{34,}$/ // an Azure client secret
  ]
  const maps = [...renders.base.objects, ...objects, ...renders.migrate.objects].filter((o) => o.kind === 'ConfigMap')
  t.ok(maps.length > 0, 'ConfigMaps found')
  for (const cm of maps) {
    for (const [key, value] of Object.entries(record(cm.data))) {
      t.notOk(secretish.test(key), `${describeObject(cm)}: ${key} is not a secret's name`)
      t.notOk(credentialShaped.some((re) => re.test(String(value))), `${describeObject(cm)}: ${key} does not look like a credential`)
    }
  }
  for (const [key, value] of Object.entries(record(at(exampleSecret, 'stringData')))) {
    t.match(String(value), /REPLACE-ME/, `example Secret ${key} is a placeholder`)
  }
  t.same(Object.keys(record(at(exampleSecret, 'data'))), [], 'the example Secret has no base64 data')
})

t.test('NetworkPolicies: default deny; public services from the ingress controller; internal ones from the gateway', async (t) => {
  const policies = ofKind('NetworkPolicy')
  const denyAll = policies.find((p) => Object.keys(record(at(p, 'spec', 'podSelector'))).length === 0 && at(p, 'spec', 'ingress') === undefined)
  t.ok(denyAll, 'a policy selects every pod and allows no ingress')
  t.same(at(denyAll, 'spec', 'policyTypes'), ['Ingress'], 'default deny covers ingress')
  const peersOf = (name: ServiceName) => policies
    .filter((p) => p.metadata.name !== 'prometheus-scrape' && matches(at(p, 'spec', 'podSelector'), labelsOf(find('Deployment', name))))
    .flatMap((p) => list(at(p, 'spec', 'ingress')).flatMap((rule) => {
      const from = list(at(rule, 'from'))
      if (from.length === 0) return ['anyone']
      return from.map((peer) => {
        const ns = at(peer, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name')
        const pod = at(peer, 'podSelector', 'matchLabels', 'app.kubernetes.io/name')
        return ns === undefined ? `pod:${String(pod)}` : `ns:${String(ns)}/pod:${String(pod)}`
      })
    }))
  const fromIngress = `ns:${ingressControllerNamespace}/pod:ingress-nginx`
  for (const name of services) {
    const peers = peersOf(name)
    t.notOk(peers.includes('anyone'), `${name}: no rule open to everyone`)
    if (publicServices.includes(name)) t.ok(peers.includes(fromIngress), `${name}: reachable from the ingress controller`)
    else t.notOk(peers.some((p) => p.startsWith('ns:')), `${name}: nothing from other namespaces`)
    const allowed = peers.filter((p) => p !== fromIngress && p !== 'pod:gateway')
    t.same(allowed, [], `${name}: no caller but the gateway${publicServices.includes(name) ? ' and the ingress controller' : ''}`)
  }
  const scrape = find('NetworkPolicy', 'prometheus-scrape')
  for (const name of services) t.ok(matches(at(scrape, 'spec', 'podSelector'), labelsOf(find('Deployment', name))), `Prometheus may scrape ${name}`)
  t.equal(at(scrape, 'spec', 'ingress', 0, 'from', 0, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'), prometheusNamespace, 'scrapes come from the monitoring namespace')
  t.same(list(at(scrape, 'spec', 'ingress', 0, 'ports')).map((p) => at(p, 'port')), [3000], 'only the service port (/metrics)')
})

t.test('the Ingress routes /v1, /docs, /openapi.json to the gateway and /webhooks to contacts-ingest', async (t) => {
  const ingresses = ofKind('Ingress')
  t.equal(ingresses.length, 1, 'one Ingress')
  const rules = list(at(ingresses[0], 'spec', 'rules'))
  const routes = new Map<string, string>()
  for (const rule of rules) {
    t.equal(at(rule, 'host'), 'm365.example.com', 'the overlay sets the host')
    for (const p of list(at(rule, 'http', 'paths'))) {
      const service = String(at(p, 'backend', 'service', 'name'))
      routes.set(String(at(p, 'path')), service)
      const port = at(p, 'backend', 'service', 'port', 'name')
      t.ok(list(at(find('Service', service), 'spec', 'ports')).some((sp) => at(sp, 'name') === port), `${String(at(p, 'path'))}: port ${String(port)} exists on ${service}`)
    }
  }
  t.same(Object.fromEntries(routes), {
    '/v1': 'gateway', '/docs': 'gateway', '/openapi.json': 'gateway', '/webhooks': 'contacts-ingest'
  }, 'exactly the public routes')
  t.same(list(at(ingresses[0], 'spec', 'tls', 0, 'hosts')), ['m365.example.com'], 'TLS for the host')
})

t.test('graph-sync scales on CPU (HPA) and on JetStream consumer lag (KEDA)', async (t) => {
  const deployment = find('Deployment', 'graph-sync')
  t.equal(at(deployment, 'spec', 'replicas'), undefined, 'no fixed replica count fighting the autoscaler')
  for (const name of services.filter((s) => s !== 'graph-sync')) t.ok(Number(at(find('Deployment', name), 'spec', 'replicas')) >= 2, `${name}: at least two replicas`)
  const hpa = find('HorizontalPodAutoscaler', 'graph-sync')
  t.same(at(hpa, 'spec', 'scaleTargetRef'), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'graph-sync' }, 'HPA targets graph-sync')
  t.equal(at(hpa, 'spec', 'metrics', 0, 'resource', 'name'), 'cpu', 'HPA on CPU')
  t.equal(ofKind('HorizontalPodAutoscaler').length, 1, 'the only HPA')
  const so = find('ScaledObject', 'graph-sync')
  t.equal(at(so, 'spec', 'scaleTargetRef', 'name'), 'graph-sync', 'ScaledObject targets graph-sync')
  // one HPA, not two fighting: KEDA adopts the base HPA by name
  t.equal(at(so, 'metadata', 'annotations', 'scaledobject.keda.sh/transfer-hpa-ownership'), 'true', 'KEDA takes the HPA over')
  t.equal(at(so, 'spec', 'advanced', 'horizontalPodAutoscalerConfig', 'name'), hpa?.metadata.name, '…the one named in the base')
  t.equal(at(so, 'spec', 'minReplicaCount'), at(hpa, 'spec', 'minReplicas'), 'same floor as the HPA')
  const triggers = list(at(so, 'spec', 'triggers'))
  const lag = triggers.find((tr) => at(tr, 'type') === 'nats-jetstream')
  t.match(at(lag, 'metadata', 'natsServerMonitoringEndpoint'), /:8222$/, 'KEDA reads the NATS monitoring endpoint')
  t.equal(at(lag, 'metadata', 'stream'), kedaConsumer.stream, 'stream JOBS')
  t.equal(at(lag, 'metadata', 'consumer'), kedaConsumer.durable, 'consumer graph-sync-sync-requested')
  t.ok(Number(at(lag, 'metadata', 'lagThreshold')) > 0, 'a lag threshold')
  t.ok(triggers.some((tr) => at(tr, 'type') === 'cpu'), 'CPU stays a metric under KEDA')
  const stream = record(JSON.parse(readFileSync(join(root, 'deploy/nats/streams', `${kedaConsumer.stream}.json`), 'utf8')))
  const consumer = record(JSON.parse(readFileSync(join(root, 'deploy/nats/consumers', kedaConsumer.stream, `${kedaConsumer.durable}.json`), 'utf8')))
  t.equal(stream.retention, 'workqueue', 'the watched stream is the work queue')
  t.equal(consumer.durable_name, kedaConsumer.durable, 'deploy/nats defines the watched consumer')
  t.equal(consumer.filter_subject, kedaConsumer.subject, '…on sync.requested')
  t.ok(list(stream.subjects).includes(consumer.filter_subject), '…a subject of the stream')
})

t.test('the migration Job runs each data-owning service\'s dist/migrate.js with its own credentials', async (t) => {
  const jobs = ofKind('Job', renders.migrate.objects)
  t.equal(jobs.length, 1, 'one Job')
  const job = jobs[0]
  if (!job) return
  t.equal(job.metadata.namespace, 'm365', 'in the overlay namespace')
  t.equal(at(podSpec(job), 'restartPolicy'), 'Never', 'failures are retried by backoffLimit, visibly')
  const containers = podContainers(job)
  t.same(containers.map((c) => c.name), [...migratingServices], 'one container per service that owns data')
  for (const c of containers) {
    t.same(c.command, ['node', `services/${String(c.name)}/dist/migrate.js`], `${String(c.name)}: runs its migrate.js`)
    t.equal(c.image, at(find('Deployment', 'gateway'), 'spec', 'template', 'spec', 'containers', 0, 'image'), `${String(c.name)}: the release's image`)
    t.ok(containerEnv(c).secretRefs.some((r) => r.variable === 'DATABASE_URL' && r.key === `${String(c.name)}-database-url`), `${String(c.name)}: its own DATABASE_URL`)
    t.equal(at(c, 'securityContext', 'readOnlyRootFilesystem'), true, `${String(c.name)}: read-only root filesystem`)
  }
  t.notOk(renders.example.objects.some((o) => o.kind === 'Job'), 'not in the main overlay (Jobs are immutable)')
})

t.test('the overlay namespaces everything and declares its namespace', async (t) => {
  const ns = objects.find((o) => o.kind === 'Namespace')
  t.equal(ns?.metadata.name, 'm365', 'the Namespace object')
  t.equal(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted', 'Pod Security restricted')
  t.same(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'm365').map(describeObject), [], 'every namespaced object in m365')
})

// ---- compose -----------------------------------------------------------------------------------

t.test('compose: Postgres 15, NATS 2.9 with JetStream, one container per service from deploy/Dockerfile', async (t) => {
  t.equal(at(composeServices, 'postgres', 'image'), 'postgres:15', 'postgres:15')
  t.match(at(composeServices, 'nats', 'image'), /^nats:2\.9(-|$)/, 'nats 2.9')
  t.ok(list(at(composeServices, 'nats', 'command')).includes('-js'), 'JetStream on')
  for (const dependency of ['postgres', 'nats']) t.ok(at(composeServices, dependency, 'healthcheck', 'test'), `${dependency}: health check`)
  for (const name of services) {
    const s = record(composeServices[name])
    t.same(s.build, { context: '.', dockerfile: 'deploy/Dockerfile' }, `${name}: built from deploy/Dockerfile`)
    t.same(s.command, ['node', `services/${name}/dist/server.js`], `${name}: runs its dist/server.js`)
    t.match(JSON.stringify(at(s, 'healthcheck', 'test')), /\/readyz/, `${name}: health = /readyz`)
    t.equal(s.read_only, true, `${name}: read-only root filesystem`)
    t.same(at(s, 'depends_on', 'postgres'), { condition: 'service_healthy' }, `${name}: waits for Postgres`)
    t.same(at(s, 'depends_on', 'nats'), { condition: 'service_healthy' }, `${name}: waits for NATS`)
    t.same(at(s, 'depends_on', 'migrate'), { condition: 'service_completed_successfully' }, `${name}: starts after the migrations`)
    const env = record(s.environment)
    t.same(requiredEnv[name].filter((v) => !(v in env)), [], `${name}: gets every variable it needs`)
    for (const [variable, allowed] of Object.entries(secretVariables)) {
      if (!(variable in env) || variable === 'DATABASE_URL') continue
      t.ok(allowed.includes(name), `${name}: may see ${variable}`)
      t.ok(env[variable] === null || /^\$\{[A-Z_]+(:?[?-][^}]*)?\}$/.test(String(env[variable])), `${name}: ${variable} comes from the environment, not a literal`)
    }
    const published = list(s.ports)
    if (name === 'gateway') t.same(published, ['3000:3000'], 'the gateway is published on 3000')
    else t.same(published, [], `${name}: not published`)
  }
  const gatewayEnv = record(at(composeServices, 'gateway', 'environment'))
  for (const [service, variable] of Object.entries(internalUrlVariables)) {
    t.equal(gatewayEnv[variable], `http://${service}:3000`, `gateway: ${variable} → the ${service} container`)
  }
  for (const name of services.filter((s) => s !== 'gateway')) {
    t.same(at(composeServices, 'gateway', 'depends_on', name), { condition: 'service_healthy' }, `gateway waits for ${name}`)
  }
})

t.test('compose: a one-shot migrate service, the simulators profile wired through AUTHORITY_HOST/GRAPH_BASE_URL', async (t) => {
  const migrate = record(composeServices.migrate)
  t.equal(migrate.restart, 'no', 'migrate runs once')
  const script = list(migrate.command).join('\n')
  for (const name of migratingServices) t.ok(script.includes(name), `migrate covers ${name}`)
  t.match(script, /services\/\$\$s\/dist\/migrate\.js/, 'through each service\'s dist/migrate.js')
  t.same(at(migrate, 'depends_on', 'postgres'), { condition: 'service_healthy' }, 'after Postgres is up')
  for (const name of simulators) {
    const s = record(composeServices[name])
    t.same(s.profiles, ['simulators'], `${name}: only in the simulators profile`)
    t.same(s.command, ['node', `tools/${name}/dist/main.js`], `${name}: its CLI`)
  }
  for (const name of services) t.notOk(at(composeServices, name, 'profiles'), `${name}: in the default profile`)
  const envFile = Object.fromEntries(readFileSync(join(root, 'deploy/compose/simulators.env'), 'utf8')
    .split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  t.equal(envFile.COMPOSE_PROFILES, 'simulators', 'the env file turns the profile on')
  const port = String(at(composeServices, 'm365-simulator', 'environment', 'PORT'))
  t.equal(envFile.AUTHORITY_HOST, `https://m365-simulator:${port}`, 'AUTHORITY_HOST → the m365 simulator (https, as msal requires)')
  t.equal(envFile.GRAPH_BASE_URL, `https://m365-simulator:${port}`, 'GRAPH_BASE_URL → the m365 simulator')
  const sharedEnv = record(at(composeServices, 'tenant-auth', 'environment'))
  t.match(sharedEnv.AUTHORITY_HOST, /^\$\{AUTHORITY_HOST:-https:\/\/login\.microsoftonline\.com\}$/, 'the services read AUTHORITY_HOST from it, Microsoft by default')
  t.match(sharedEnv.GRAPH_BASE_URL, /^\$\{GRAPH_BASE_URL:-https:\/\/graph\.microsoft\.com\}$/, '…and GRAPH_BASE_URL')
  t.match(sharedEnv.NODE_EXTRA_CA_CERTS, /^\$\{NODE_EXTRA_CA_CERTS:-\}$/, '…and the simulator CA to trust')
  t.ok(list(at(composeServices, 'm365-simulator', 'volumes')).some((v) => String(v).startsWith('simulator-ca:')), 'the simulator shares its CA through a volume')
  t.equal(envFile.NODE_EXTRA_CA_CERTS, `${String(at(composeServices, 'm365-simulator', 'environment', 'CERT_DIR'))}/ca.pem`, 'the services trust the CA the simulator writes')
  t.same(Object.keys(envFile).filter((k) => /SECRET|PASSWORD|KEY|TOKEN/.test(k)), [], 'no secrets in the simulators env file')
  t.equal(envFile.AZURE_CLIENT_ID, DEMO_APP.clientId, 'tenant-auth is the simulator\'s demo app (its secret comes from the shell)')
  t.match(readFileSync(join(root, 'deploy/compose/simulators.env'), 'utf8'), /AZURE_CLIENT_SECRET=<the demo app's secret>/, '…whose secret the usage line asks for')
  for (const file of ['deploy/compose/simulators.env', 'docker-compose.yml', 'docs/deployment.md']) {
    t.notMatch(readFileSync(join(root, file), 'utf8'), DEMO_APP.clientSecret, `${file} spells out no client secret, not even the demo one`)
  }
})

// ---- the image -----------------------------------------------------------------------------------

t.test('deploy/Dockerfile: multi-stage on node:20-bookworm-slim, production deps, non-root, health check', async (t) => {
  const dockerfile = readFileSync(join(root, 'deploy/Dockerfile'), 'utf8')
  t.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m, 'node:20-bookworm-slim')
  t.equal(dockerfile.match(/^FROM /gm)?.length, 2, 'two stages')
  t.match(dockerfile, /^RUN .*npm ci --no-audit/m, 'build stage: npm ci')
  t.match(dockerfile, /^RUN npm run build$/m, 'build stage: npm run build')
  t.match(dockerfile, /^RUN .*npm ci --omit=dev/m, 'runtime: production dependencies only')
  t.match(dockerfile, /^USER node$/m, 'runtime: non-root')
  t.match(dockerfile, /^HEALTHCHECK [^\n]*(\\\n[^\n]*)*\/healthz/m, 'HEALTHCHECK on /healthz')
  t.match(dockerfile, /^CMD \[.*exec node services\/\$\{SERVICE/m, 'SERVICE picks the service; exec keeps node as PID 1')
  t.notMatch(dockerfile, /tini|dumb-init/, 'no init process: node handles SIGTERM')
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n')
  for (const entry of ['**/node_modules', '**/dist', 'data', '.git']) t.ok(ignore.includes(entry), `.dockerignore: ${entry}`)
  t.notOk(ignore.includes('.npmrc'), '.npmrc reaches the build (legacy-peer-deps)')
})

t.test('deploy/nats/: every file is valid JSON named after what it defines', async (t) => {
  const dir = join(root, 'deploy/nats')
  for (const file of readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json'))) {
    const config = record(JSON.parse(readFileSync(join(dir, file), 'utf8')))
    const base = file.replace(/^.*\//, '').replace(/\.json$/, '')
    t.equal(config.name ?? config.durable_name, base, `${file}: named ${base}`)
  }
  t.ok(readYamlDocument(join(root, 'k8s/base/kustomization.yaml')), 'the base kustomization parses')
})

import t from 'tap'
import { applyJsonPatch, renderKustomization, validateCompose, validateKubeObject } from '../src/index.js'

// The checks in manifests.test.ts are only as good as the validators: show each one refusing
// what it must refuse, so a green run means the manifests passed, not that nothing was checked.

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 3000 }] }] }
    }
  }
})

t.test('Kubernetes objects: valid passes, wrong types and missing fields are named', async (t) => {
  t.same(validateKubeObject(deployment()), [])
  const badPort = deployment()
  badPort.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'http' as unknown as number
  t.match(validateKubeObject(badPort).join(), /containerPort must be integer/)
  const noSelector: Record<string, unknown> = { ...deployment(), spec: { template: deployment().spec.template } }
  t.match(validateKubeObject(noSelector).join(), /must have required property selector/)
  t.match(validateKubeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { PORT: 3000 } }).join(), /data\/PORT must be string/)
  t.match(validateKubeObject({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'p' } }).join(), /no schema known/)
  t.match(validateKubeObject({ kind: 'Service' }).join(), /not a Kubernetes object/)
})

t.test('KEDA ScaledObject: checked against its CRD schema', async (t) => {
  const so = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'w' },
    spec: { scaleTargetRef: { name: 'w' }, triggers: [{ type: 'nats-jetstream', metadata: { stream: 'JOBS', lagThreshold: '8' } }] }
  }
  t.same(validateKubeObject(so), [])
  t.match(validateKubeObject({ ...so, spec: { scaleTargetRef: { name: 'w' } } }).join(), /required property triggers/)
  t.match(validateKubeObject({ ...so, spec: { ...so.spec, triggers: [{ type: 'cpu', metadata: { value: 70 } }] } }).join(), /metadata\/value must be string/)
})

t.test('Compose: unknown keys, bad conditions and bad durations are refused', async (t) => {
  const service = { image: 'postgres:15', healthcheck: { test: ['CMD', 'true'], interval: '5s' } }
  t.same(validateCompose({ services: { db: service } }), [])
  t.match(validateCompose({ services: { db: { ...service, healthchek: {} } } }).join(), /additional properties "healthchek"/)
  t.match(validateCompose({ services: { db: service, app: { image: 'a', depends_on: { db: { condition: 'service_ready' } } } } }).join(), /depends_on/)
  t.match(validateCompose({ services: { db: { ...service, healthcheck: { interval: 'five seconds' } } } }).join(), /must match format "duration"/)
  t.match(validateCompose({ services: { db: { ...service, ports: ['3000:abc'] } } }).join(), /must match format "ports"/)
  t.match(validateCompose({ servics: {} }).join(), /additional properties "servics"/)
})

t.test('JSON 6902 patches: add, replace, remove, append; a missing target is an error', async (t) => {
  const doc = { spec: { rules: [{ http: {} }], tls: undefined as unknown } }
  const patched = applyJsonPatch(doc, [
    { op: 'add', path: '/spec/rules/0/host', value: 'a.example' },
    { op: 'add', path: '/spec/rules/-', value: { host: 'b.example' } },
    { op: 'replace', path: '/spec/rules/1/host', value: 'c.example' },
    { op: 'remove', path: '/spec/rules/0/http' }
  ])
  t.same(patched.spec.rules, [{ host: 'a.example' }, { host: 'c.example' }])
  t.same(doc.spec.rules, [{ http: {} }], 'the input is not modified')
  t.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/missing', value: 1 }]), /does not exist/)
  t.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/nope/deeper', value: 1 }]), /does not exist/)
  t.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/spec/rules/5' }]), /no array index/)
})

t.test('kustomize subset: resources, components, namespace, images and patches as kustomize does them', async (t) => {
  const dir = t.testdir({
    base: {
      'kustomization.yaml': 'resources:\n  - app.yaml\n',
      'app.yaml': [
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}',
        'spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}}',
        '---',
        'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: cfg}', 'data: {A: "1"}'
      ].join('\n')
    },
    extra: {
      'kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ns.yaml\n',
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n'
    },
    overlay: {
      'kustomization.yaml': [
        'namespace: prod', 'resources: [../base]', 'components: [../extra]',
        'images: [{name: web, newName: reg.example/web, newTag: "2.0"}]',
        'patches: [{path: cfg.yaml, target: {kind: ConfigMap, name: cfg}}]'
      ].join('\n'),
      'cfg.yaml': '- op: replace\n  path: /data/A\n  value: "2"\n'
    },
    unsupported: { 'kustomization.yaml': 'resources: [../base]\nnamePrefix: x-\n' },
    strategic: {
      'kustomization.yaml': 'resources: [../base]\npatches: [{path: p.yaml, target: {kind: ConfigMap}}]\n',
      'p.yaml': 'data: {A: "3"}\n'
    },
    dangling: { 'kustomization.yaml': 'resources: [../base, missing.yaml]\n' },
    reaching: { 'kustomization.yaml': 'resources: [../base/app.yaml]\n' }
  })
  const { objects } = renderKustomization(`${dir}/overlay`)
  t.same(objects.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace ?? '-'}`), ['Deployment/web@prod', 'ConfigMap/cfg@prod', 'Namespace/prod@-'])
  t.equal((objects[0]?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]?.image, 'reg.example/web:2.0')
  t.same(objects[1]?.data, { A: '2' })
  t.throws(() => renderKustomization(`${dir}/unsupported`), /unsupported kustomization fields namePrefix/)
  t.throws(() => renderKustomization(`${dir}/strategic`), /only JSON 6902 patches/)
  t.throws(() => renderKustomization(`${dir}/dangling`), /missing\.yaml does not exist/)
  t.throws(() => renderKustomization(`${dir}/reaching`), /outside the kustomization root/)
})

import t from 'tap'
import { DEMO_TENANTS } from '@m365/m365-simulator'
import { buildConnectWiseWebhook, sendWebhooks } from '@m365/psa-simulator'
import {
  assertSettled, backfill, buildVersion, connectPsa, connectTenant, contactDrift, createClient, createReport, firstSync, ingestContacts,
  mapCompanies, reportContacts, startStack, unprocessedDeliveries, usersInReport, versionRows, waitFor, type Version
} from '../src/index.js'

// Fabrikam Dental: Business Premium (P1), security defaults, every row of the DESIGN.md MFA truth table
const tenant = DEMO_TENANTS.find((d) => d.licenseTier === 'p1')!
const people = Object.values(tenant.scenarios).filter((s) => s.kind === 'user' && !s.deleted)

t.test('happy path: consent, first sync, PSA contacts by backfill and webhooks, a report version read through the gateway', async (t) => {
  const stack = await startStack(t, { name: 'happy', fixture: 'demo' })
  const { api, sims: { psa } } = stack

  // --- connect the tenant: consent page → redirect → the gateway's callback
  const clientId = await createClient(api, tenant.displayName)
  const callback = await connectTenant(stack, clientId, tenant.tenantId)
  t.equal(callback.tenantId, tenant.tenantId, 'the callback confirms the consented tenant')

  // --- tenant.connected starts the first sync in graph-sync
  const sync = await firstSync(api, clientId, tenant.tenantId)
  t.equal(sync.outcome, 'completed', 'the first sync completed')
  const expectedObjects = tenant.totals.activeUsers + tenant.totals.deletedUsers + tenant.totals.orgContacts
  const users = await usersInReport(api, clientId, `${expectedObjects} directory objects`, (u) => u.length === expectedObjects ? u : undefined)
  t.equal(new Set(users.map((u) => u.id)).size, users.length, 'report holds each directory object once')
  const connected = await waitFor('tenant-auth to record the sync', async () => {
    const view = await api.get<{ status: string, lastSyncOutcome: string | null }>(`/v1/clients/${clientId}/tenants/${tenant.tenantId}`)
    return view.lastSyncOutcome === 'completed' ? view : undefined
  })
  t.equal(connected.status, 'connected', 'the tenant is connected, its last sync recorded by tenant-auth')

  // --- PSA: connection, company mapping, backfill of what the PSA holds already
  const company = psa.admin.createCompany({ name: tenant.displayName })
  const staff = people.filter((p) => p.scenario !== 'unlicensed').map((p) => {
    const [first, ...rest] = p.displayName.split(' ')
    // addresses as people type them: the join on email is case-insensitive
    return psa.admin.createContact({ companyId: company.id, firstName: first!, lastName: rest.join(' ') || '-', emails: [p.address.toUpperCase()], title: 'Staff' })
  })
  const outsider = psa.admin.createContact({ companyId: company.id, firstName: 'Pat', lastName: 'Outsider', emails: [`pat.outsider@${tenant.defaultDomain}`], title: 'Contractor' })
  const connection = await connectPsa(stack, 'connectwise')
  await mapCompanies(api, connection.id, [{ companyExternalId: String(company.id), clientId }])
  const pulled = await backfill(api, connection.id)
  t.match(pulled, { status: 'completed', contactsSeen: staff.length + 1 }, 'the backfill pulled every contact of the mapped company')

  // --- webhooks, signed by the PSA: straight to contacts-ingest (the Ingress route) and through the gateway (compose)
  const unlicensed = tenant.scenarios.unlicensed
  const newcomer = psa.admin.createContact({ companyId: company.id, firstName: 'Zoe', lastName: 'Kim', emails: [unlicensed.address], title: 'Receptionist' })
  const priya = tenant.scenarios.registeredEnabled
  const promoted = psa.admin.updateContact(staff.find((c) => c.emails[0] === priya.address.toUpperCase())!.id, { title: 'Lead Dentist' })
  psa.admin.deleteContact(outsider.id)
  const signed = { psa: 'connectwise' as const, signingKey: psa.admin.signingKey(), retries: { attempts: 1, delayMs: 0 } }
  const direct = await sendWebhooks({
    ...signed,
    targetUrl: `${stack.contactsIngestUrl}${connection.webhookPath}`,
    events: [
      buildConnectWiseWebhook(newcomer, { action: 'added', keyUrl: psa.keyUrl() }),
      buildConnectWiseWebhook(outsider, { action: 'deleted', keyUrl: psa.keyUrl(), variant: 'no-entity' })
    ]
  })
  t.equal(direct.failed, 0, `contacts-ingest accepted both webhooks (${JSON.stringify(direct.deliveries.map((d) => d.status))})`)
  const viaGateway = await sendWebhooks({
    ...signed,
    targetUrl: `${stack.url}${connection.webhookPath}`,
    events: [buildConnectWiseWebhook(promoted, { action: 'updated', keyUrl: psa.keyUrl() })]
  })
  t.equal(viaGateway.failed, 0, 'the gateway passed the webhook through, signature intact')
  const forged = await sendWebhooks({
    psa: 'connectwise',
    signingKey: 'not-the-psa-key',
    retries: { attempts: 1, delayMs: 0 },
    targetUrl: `${stack.contactsIngestUrl}${connection.webhookPath}`,
    events: [buildConnectWiseWebhook({ ...promoted, title: 'Forged' }, { action: 'updated', keyUrl: psa.keyUrl() })]
  })
  t.equal(forged.deliveries[0]?.status, 401, 'a webhook with a bad signature is refused')

  // --- contacts-ingest processes the deliveries; report's read model follows its events
  await waitFor('contacts-ingest to process every delivery', async () => await unprocessedDeliveries(stack.sql) === 0)
  const source = await ingestContacts(stack.sql, connection.id)
  t.equal(source.get(String(promoted.id))?.title, 'Lead Dentist', 'the update is stored, the forged one is not')
  t.equal(source.get(String(outsider.id))?.deleted, true, 'the deletion left a tombstone')
  const drift = await waitFor('report to hold the same contacts as contacts-ingest', async () => {
    const d = contactDrift(source, await reportContacts(stack.sql, connection.id))
    return d.length === 0 ? d : undefined
  })
  t.same(drift, [], 'report holds the same contacts as contacts-ingest, at the same revisions')

  // --- a template merging O365 users with contacts, a report, a version
  const template = await api.post<{ id: string, office365: { columns: Array<{ key: string, label: string, visible: boolean }> } }>('/v1/templates', {
    name: 'Licences, MFA and PSA contacts',
    office365: {
      mergeMode: 'o365+contacts',
      columns: [
        { key: 'displayName', label: 'Name' }, { key: 'userPrincipalName' }, { key: 'objectType' }, { key: 'deleted' },
        { key: 'licenses' }, { key: 'mfaStatus', label: 'MFA' }, { key: 'contactName' }, { key: 'contactTitle' },
        { key: 'matchedBy' }, { key: 'source' }, { key: 'userId', visible: false }
      ]
    }
  })
  const reportId = await createReport(api, clientId, 'Licences and MFA', template.id)
  const version = await buildVersion(api, reportId)
  t.match(version, { number: 1, status: 'ready', rowCount: expectedObjects }, 'version 1: a row per directory object')
  t.match(version.source, { tenants: [{ tenantId: tenant.tenantId, syncId: sync.syncId }] }, 'built from the first sync')
  t.equal((version.mergeStats as { contacts: number }).contacts, staff.length + 1, 'the contacts: backfilled staff plus the webhook newcomer, minus the deleted one')
  t.ok((version.licenseSummary ?? []).length > 0, 'with a licence summary')

  // --- read it back through the gateway: metadata, rows as JSON, CSV
  const again = await api.get<Version>(`/v1/report-versions/${version.id}`)
  t.same(again, version, 'a ready version reads the same every time')
  const rows = await versionRows(api, version.id)
  t.equal(rows.length, version.rowCount, 'every row, paged')
  t.same(rows.map((r) => r.rowNumber), rows.map((_r, i) => i + 1), 'numbered 1..n')
  const byUpn = new Map(rows.map((r) => [String(r.values.userPrincipalName ?? '').toLowerCase(), r.values]))
  for (const person of people) {
    t.equal(byUpn.get(person.address.toLowerCase())?.MFA ?? byUpn.get(person.address.toLowerCase())?.mfaStatus, person.expectedMfaStatus,
      `${person.scenario}: MFA ${person.expectedMfaStatus}`)
  }
  const priyaRow = byUpn.get(priya.address.toLowerCase())
  t.match(priyaRow, { contactTitle: 'Lead Dentist', source: 'o365+contact' }, 'the webhook update is merged into the row')
  t.match(byUpn.get(unlicensed.address.toLowerCase()), { contactName: /Zoe/, contactTitle: 'Receptionist' }, 'the contact created by webhook is merged')
  t.notOk(rows.some((r) => String(r.values.contactName ?? '').includes('Outsider')), 'the deleted contact is gone')
  t.notOk('userId' in (rows[0]?.values ?? {}), 'hidden columns are not served')

  const csv = await api.raw('GET', `/v1/report-versions/${version.id}/rows`, { accept: 'text/csv' })
  t.equal(csv.status, 200, 'CSV through the gateway')
  t.match(csv.headers.get('content-type'), /text\/csv/, 'as text/csv')
  const lines = csv.text.split('\r\n').filter((line) => line.length > 0)
  const labels = template.office365.columns.filter((c) => c.visible).map((c) => c.label)
  t.equal(lines[0], labels.join(','), 'the header: the template\'s labels (renamed ones too), visible columns only, in order')
  t.match(labels, ['Name'], 'renamed')
  t.equal(lines.length, version.rowCount! + 1, 'a CSV line per row after the header')
  t.ok(lines.some((line) => line.includes('Lead Dentist')), 'the merged contact data is in the CSV')

  // --- a portal user of the client sees the version once shared, never before
  const portal = await stack.clientApi(clientId)
  t.equal((await portal.raw('GET', `/v1/report-versions/${version.id}`)).status, 404, 'unshared: 404 for the client, as if it did not exist')
  await api.post(`/v1/report-versions/${version.id}/share`)
  t.match(await portal.get(`/v1/report-versions/${version.id}`), { id: version.id, rowCount: version.rowCount }, 'shared: the client reads it')

  await assertSettled(t, stack)
})

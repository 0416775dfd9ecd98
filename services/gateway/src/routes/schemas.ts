import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import {
  BackfillRun, Client, LicenseSummaryItem, O365UserItem, Problem, PsaCompany, PsaConnection, Report, ReportVersion, ReportVersionSummary,
  SyncRun, Template, Tenant, WebhookDelivery
} from '@m365/api'

/** The resources clients generate named types for: components/schemas in the OpenAPI document, $ref'd by the routes. */
const shared = {
  Problem,
  Client,
  Tenant,
  SyncRun,
  O365User: O365UserItem,
  LicenseSummary: LicenseSummaryItem,
  Template,
  Report,
  ReportVersionSummary,
  ReportVersion,
  PsaConnection,
  PsaCompany,
  BackfillRun,
  WebhookDelivery
} satisfies Record<string, TSchema>

type Shared = typeof shared

/** A reference to a shared schema (validation, serialization and the document all resolve it by $id). */
export const ref = <K extends keyof Shared>(name: K) => Type.Unsafe<Static<Shared[K]>>({ $ref: `${name}#` })

/** Adds the shared schemas to `app`: the instance @fastify/swagger is registered on, so they land in components. */
export function addSharedSchemas (app: FastifyInstance): void {
  for (const [name, schema] of Object.entries(shared)) app.addSchema({ ...schema, $id: name })
}

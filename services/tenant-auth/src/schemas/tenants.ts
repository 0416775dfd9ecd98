import { Type } from '@sinclair/typebox'

// The public shapes of these routes are @m365/api's (the gateway documents the same /v1 paths); what is here is
// this service's own.

export const ClientParams = Type.Object({ clientId: Type.String({ format: 'uuid' }) })

import { Type } from '@sinclair/typebox'

export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time' })
/** A Microsoft Entra tenant id (a GUID). */
export const TenantId = Type.String({ format: 'uuid' })
export const ClientId = Type.String({ format: 'uuid' })

import { Type } from '@sinclair/typebox'
import { defineEvent } from '../define.js'
import { ClientId, Timestamp, Uuid } from './common.js'

export const ReportVersionCreated = defineEvent('report.version.created', 1, Type.Object({
  reportId: Uuid,
  versionId: Uuid,
  clientId: ClientId,
  number: Type.Integer({ minimum: 1 }),
  rowCount: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp
}))

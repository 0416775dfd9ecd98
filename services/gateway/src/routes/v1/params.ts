import { Type } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })

export const ClientParams = Type.Object({ clientId: Uuid })
export const TemplateParams = Type.Object({ templateId: Uuid })
export const ReportParams = Type.Object({ reportId: Uuid })
export const VersionParams = Type.Object({ versionId: Uuid })
export const ConnectionParams = Type.Object({ connectionId: Uuid })

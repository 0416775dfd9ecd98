import { Type, type Static } from '@sinclair/typebox'
import { MergeMode } from './columns.js'

const Label = Type.String({ minLength: 1, maxLength: 200 })

/** A column as given in a template body: its place in the array is its position. */
export const TemplateColumnInput = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 64, description: 'a key of the column catalogue (GET /v1/templates/columns)' }),
  label: Type.Optional(Label),
  visible: Type.Optional(Type.Boolean({ default: true }))
})
export type TemplateColumnInput = Static<typeof TemplateColumnInput>

export const TemplateColumn = Type.Object({
  key: Type.String(),
  label: Type.String(),
  visible: Type.Boolean(),
  /** 1-based */
  position: Type.Integer({ minimum: 1 })
})
export type TemplateColumn = Static<typeof TemplateColumn>

const Columns = Type.Array(TemplateColumnInput, { minItems: 1, maxItems: 100, description: 'ordered; hidden columns stay listed' })

export const Office365PartInput = Type.Object({ mergeMode: MergeMode, columns: Columns })
export const Office365Part = Type.Object({ mergeMode: MergeMode, columns: Type.Array(TemplateColumn) })

export const Template = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  /** The template reports use when none is named; it cannot be deleted. */
  isDefault: Type.Boolean(),
  office365: Office365Part,
  /** Starts at 1, +1 per change. */
  revision: Type.Integer({ minimum: 1 }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' })
})
export type Template = Static<typeof Template>

/** POST and PUT: the whole template. Without office365 the default template's part is copied. */
export const TemplateBody = Type.Object({
  name: Label,
  office365: Type.Optional(Office365PartInput)
})
export type TemplateBody = Static<typeof TemplateBody>

/** PATCH: what is given replaces; `columns` replaces the whole list (show/hide, reorder, rename). */
export const TemplatePatch = Type.Object({
  name: Type.Optional(Label),
  office365: Type.Optional(Type.Object({
    mergeMode: Type.Optional(MergeMode),
    columns: Type.Optional(Columns)
  }))
})
export type TemplatePatch = Static<typeof TemplatePatch>

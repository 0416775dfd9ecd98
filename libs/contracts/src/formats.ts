import { FormatRegistry } from '@sinclair/typebox'

// TypeBox rejects unknown formats, so the ones our schemas use are registered once, here.
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const email = /^[^\s@]+@[^\s@]+$/

if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => uuid.test(v))
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => dateTime.test(v) && !Number.isNaN(Date.parse(v)))
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (v) => email.test(v))

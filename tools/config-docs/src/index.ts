export { renderReference, type ConfigSection } from './reference.js'
export { sections } from './sections.js'
export { variablesOf, type Variable } from './variables.js'

// The public HTTP contract's shapes live in @m365/api (one definition for services, gateway and
// OpenAPI); re-exported so route files need one import.
export { Problem, PageQuery, Page, MAX_PAGE_SIZE, IdParam } from '@m365/api'

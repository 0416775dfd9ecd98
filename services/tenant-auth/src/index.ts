export { default, migrationsFolder, type TenantAuthOptions } from './app.js'
export { TenantAuthConfig } from './config.js'
export { authorityFor, adminConsentUrl } from './identity/authority.js'
export { classifyAuthError, type AuthFailure } from './identity/aad-errors.js'

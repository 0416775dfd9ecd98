import { and, eq } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import type { KeyRing } from '@m365/service-kit'
import { tenantCredentials } from '../db/schema.js'
import type { AppCredential } from '../identity/app-credential.js'

/** The secret part of a credential, sealed as one JSON document; the app id and type stay readable for views. */
type SecretPart = { clientSecret: string } | { certificatePem: string, privateKeyPem: string }

// Binds the ciphertext to its row: a ciphertext copied onto another tenant does not open.
const context = (tenantId: string, appClientId: string) => `tenant-credentials:${tenantId}:${appClientId.toLowerCase()}`

export async function storeCredential (tx: AnyDb, ring: KeyRing, tenantId: string, credential: AppCredential, now = new Date()): Promise<void> {
  const secret: SecretPart = credential.type === 'client_secret'
    ? { clientSecret: credential.clientSecret }
    : { certificatePem: credential.certificatePem, privateKeyPem: credential.privateKeyPem }
  const sealed = ring.seal(JSON.stringify(secret), context(tenantId, credential.clientId))
  const values = { appClientId: credential.clientId, credentialType: credential.type, keyId: sealed.keyId, ciphertext: sealed.ciphertext, updatedAt: now }
  await tx.insert(tenantCredentials).values({ tenantId, ...values })
    .onConflictDoUpdate({ target: tenantCredentials.tenantId, set: values })
}

/** The tenant's own registration, decrypted; rows sealed with a previous key are re-sealed with the current one. */
export async function loadCredential (db: AnyDb, ring: KeyRing, tenantId: string): Promise<AppCredential | undefined> {
  const [row] = await db.select().from(tenantCredentials).where(eq(tenantCredentials.tenantId, tenantId))
  if (!row) return undefined
  const ctx = context(tenantId, row.appClientId)
  const secret = JSON.parse(ring.open(row, ctx)) as SecretPart
  if (row.keyId !== ring.currentKeyId) {
    const sealed = ring.seal(JSON.stringify(secret), ctx)
    // guarded by the old ciphertext: a credential stored meanwhile is not overwritten
    await db.update(tenantCredentials).set(sealed)
      .where(and(eq(tenantCredentials.tenantId, tenantId), eq(tenantCredentials.ciphertext, row.ciphertext)))
  }
  return 'clientSecret' in secret
    ? { type: 'client_secret', clientId: row.appClientId, clientSecret: secret.clientSecret }
    : { type: 'certificate', clientId: row.appClientId, ...secret }
}

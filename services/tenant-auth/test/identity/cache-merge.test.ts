import t from 'tap'
import { EMPTY_CACHE, mergeCaches } from '../../src/identity/cache-merge.js'

const now = 1_800_000_000
const token = (secret: string, expiresOn: number) => ({ credential_type: 'AccessToken', secret, expires_on: String(expiresOn) })
const cache = (tokens: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(EMPTY_CACHE), AccessToken: tokens })

t.test('keys from both sides survive; on the same key the later expiry wins', async (t) => {
  const theirs = cache({ a: token('a-theirs', now + 3000), shared: token('shared-theirs', now + 3600) })
  const ours = cache({ b: token('b-ours', now + 3000), shared: token('shared-ours', now + 1800) })
  const merged = JSON.parse(mergeCaches(theirs, ours, now))
  t.same(Object.keys(merged.AccessToken).sort(), ['a', 'b', 'shared'])
  t.equal(merged.AccessToken.shared.secret, 'shared-theirs')
  t.same(Object.keys(merged).sort(), ['AccessToken', 'Account', 'AppMetadata', 'IdToken', 'RefreshToken'])
})

t.test('expired access tokens are dropped; garbage on either side counts as empty', async (t) => {
  const merged = JSON.parse(mergeCaches('not json', cache({ old: token('x', now - 1), fresh: token('y', now + 60) }), now))
  t.same(Object.keys(merged.AccessToken), ['fresh'])
  t.same(JSON.parse(mergeCaches('[]', 'null', now)), JSON.parse(EMPTY_CACHE))
})

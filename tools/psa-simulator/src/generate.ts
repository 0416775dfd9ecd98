import type { SimCompany } from './model.js'
import type { Store } from './store.js'

export interface GenerateOptions {
  /** same seed, same data; default 1 */
  seed?: number
  /** companies to create; default 10 */
  companies?: number
  /** contacts spread over those companies; default 100 */
  contacts?: number
  /** share of inactive contacts; default 0.1 */
  inactiveRatio?: number
  /** share of contacts without any email; default 0.05 */
  noEmailRatio?: number
}

export interface GenerateResult {
  companies: SimCompany[]
  /** ids of the created contacts, ascending */
  firstContactId: number
  lastContactId: number
  contactCount: number
}

const firstNames = ['Dana', 'Lee', 'Ana', 'Omar', 'Mia', 'Noah', 'Zoë', 'Liam', 'Emma', 'Ivan', 'Sara', 'Jon', 'Aiko', 'Raj', 'Nina', 'Paul',
  'Eva', 'Tom', 'Lea', 'Max', 'Ines', 'Karl', 'Yuki', 'Ola', 'Finn', 'Hana', 'José', 'Rosa', 'Ali', 'Maja']
const lastNames = ['Reyes', 'Chan', 'Smith', 'Müller', 'Okafor', 'Novak', 'Rossi', 'Kim', 'Silva', 'Berg', "O'Brien", 'Dubois', 'Sato',
  'Patel', 'Nagy', 'Costa', 'Jensen', 'Weber', 'Haddad', 'Lopez', 'Ivanova', 'Brown', 'Yilmaz', 'Kowalski', 'Nguyen']
const titles = ['IT Manager', 'CFO', 'Office Manager', 'Engineer', 'Accountant', 'CEO', 'Sales', 'Support', null]
const companyWords = ['Contoso', 'Fabrikam', 'Northwind', 'Tailspin', 'Litware', 'Adatum', 'Proseware', 'Wingtip', 'Woodgrove', 'Relecloud']
const companySuffixes = ['Ltd', 'GmbH', 'Inc', '& Sons', 'AG', 'LLC']

/** mulberry32: small, fast, deterministic; uniform in [0, 1). */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ascii = (s: string) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()

/**
 * Adds deterministic companies and contacts (same seed and counts in an empty simulator → same data,
 * timestamps included: they count up from 2025-01-01 so they stay reproducible).
 */
export function generate (store: Store, options: GenerateOptions = {}): GenerateResult {
  const random = prng(options.seed ?? 1)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const companyCount = Math.max(1, options.companies ?? 10)
  const contactCount = Math.max(0, options.contacts ?? 100)
  const companies: SimCompany[] = []
  for (let i = 0; i < companyCount; i++) {
    const word = companyWords[i % companyWords.length] as string
    const name = `${word}${i >= companyWords.length ? ` ${Math.floor(i / companyWords.length) + 1}` : ''} ${pick(companySuffixes)}`
    companies.push(store.createCompany({ name }))
  }
  const base = Date.parse('2025-01-01T00:00:00.000Z')
  let firstContactId = 0
  let lastContactId = 0
  for (let i = 0; i < contactCount; i++) {
    const company = companies[Math.floor(random() * companies.length)] as SimCompany
    const firstName = pick(firstNames)
    const lastName = pick(lastNames)
    const domain = `${ascii(company.identifier)}.example`
    const emailCount = random() < (options.noEmailRatio ?? 0.05) ? 0 : 1 + Math.floor(random() * 3)
    const emails = Array.from({ length: emailCount }, (_, n) =>
      n === 0 ? `${ascii(firstName)}.${ascii(lastName)}${i}@${domain}` : `${ascii(firstName).charAt(0)}${ascii(lastName)}${i}.${n}@${domain}`)
    if (emails.length > 0 && i % 7 === 0) emails[0] = ` ${(emails[0] as string).toUpperCase()}` // exercises normalisation
    const contact = store.createContact({
      companyId: company.id,
      firstName,
      lastName,
      title: pick(titles),
      emails,
      phone: random() < 0.8 ? `+1 555 ${String(1000 + Math.floor(random() * 9000))}` : null,
      mobilePhone: random() < 0.5 ? `+1 555 ${String(1000 + Math.floor(random() * 9000))}` : null,
      active: random() >= (options.inactiveRatio ?? 0.1)
    }, base + i * 1000)
    if (i === 0) firstContactId = contact.id
    lastContactId = contact.id
  }
  return { companies, firstContactId, lastContactId, contactCount }
}

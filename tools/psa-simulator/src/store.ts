import type { ContactPatch, DeletedContact, NewContact, SimCompany, SimContact } from './model.js'

export class NotFoundError extends Error {
  constructor (what: string, id: number) {
    super(`${what} ${id} does not exist`)
    this.name = 'NotFoundError'
  }
}

/**
 * The simulator's data: companies and contacts in id order (Map insertion order, ids never reused),
 * deleted contacts kept as tombstones, and a clock that makes every change strictly newer than the last.
 */
export class Store {
  readonly companies = new Map<number, SimCompany>()
  readonly contacts = new Map<number, SimContact>()
  readonly deleted = new Map<number, DeletedContact>()
  private nextCompanyId = 1
  private nextContactId = 1
  private lastChange = 0

  /** A timestamp strictly after every one handed out before (ms resolution). */
  tick (at = Date.now()): string {
    this.lastChange = Math.max(at, this.lastChange + 1)
    return new Date(this.lastChange).toISOString()
  }

  createCompany (input: { name: string, identifier?: string, id?: number }): SimCompany {
    const id = input.id ?? this.nextCompanyId
    if (this.companies.has(id)) throw new Error(`company ${id} exists already`)
    this.nextCompanyId = Math.max(this.nextCompanyId, id + 1)
    const company = { id, name: input.name, identifier: input.identifier ?? input.name.replace(/[^A-Za-z0-9]/g, '').slice(0, 30) }
    this.companies.set(id, company)
    return company
  }

  company (id: number): SimCompany {
    const company = this.companies.get(id)
    if (!company) throw new NotFoundError('company', id)
    return company
  }

  createContact (input: NewContact, at?: number): SimContact {
    const company = this.company(input.companyId)
    const now = this.tick(at)
    const contact: SimContact = {
      id: this.nextContactId++,
      company,
      firstName: input.firstName,
      lastName: input.lastName,
      title: input.title ?? null,
      emails: [...(input.emails ?? [])],
      phone: input.phone ?? null,
      mobilePhone: input.mobilePhone ?? null,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now
    }
    this.contacts.set(contact.id, contact)
    return contact
  }

  contact (id: number): SimContact {
    const contact = this.contacts.get(id)
    if (!contact) throw new NotFoundError('contact', id)
    return contact
  }

  updateContact (id: number, patch: ContactPatch): SimContact {
    const current = this.contact(id)
    const { companyId, emails, ...rest } = patch
    const next: SimContact = {
      ...current,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      ...(companyId === undefined ? {} : { company: this.company(companyId) }),
      ...(emails === undefined ? {} : { emails: [...emails] }),
      updatedAt: this.tick()
    }
    this.contacts.set(id, next)
    return next
  }

  deleteContact (id: number): DeletedContact {
    const contact = this.contact(id)
    this.contacts.delete(id)
    const tombstone = { ...contact, deletedAt: this.tick() }
    this.deleted.set(id, tombstone)
    return tombstone
  }
}

import type { SimContact } from '../model.js'

/** A contact as Autotask's REST Contacts entity shows it (`isActive` is an integer). */
export function toAutotaskContact (c: SimContact): Record<string, unknown> {
  return {
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    title: c.title,
    emailAddress: c.emails[0] ?? null,
    emailAddress2: c.emails[1] ?? null,
    emailAddress3: c.emails[2] ?? null,
    phone: c.phone,
    mobilePhone: c.mobilePhone,
    alternatePhone: null,
    companyID: c.company.id,
    companyLocationID: null,
    externalID: null,
    isActive: c.active ? 1 : 0,
    primaryContact: false,
    createDate: c.createdAt,
    lastActivityDate: null,
    lastModifiedDate: c.updatedAt,
    userDefinedFields: []
  }
}

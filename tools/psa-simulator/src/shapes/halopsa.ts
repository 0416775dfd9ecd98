import type { SimContact } from '../model.js'

/** Halo sends UTC timestamps without an offset. */
export const haloTime = (iso: string) => iso.replace(/Z$/, '')

/** A contact as a HaloPSA User (`/api/Users`). */
export function toHaloUser (c: SimContact) {
  return {
    id: c.id,
    name: `${c.firstName} ${c.lastName}`,
    firstname: c.firstName,
    surname: c.lastName,
    emailaddress: c.emails[0] ?? '',
    email2: c.emails[1] ?? '',
    email3: c.emails[2] ?? '',
    client_id: c.company.id,
    client_name: c.company.name,
    site_id: c.company.id,
    site_name: 'Main',
    title: c.title ?? '',
    phonenumber: c.phone ?? '',
    mobilenumber: c.mobilePhone ?? '',
    phonenumber_preferred: c.phone ?? c.mobilePhone ?? '',
    inactive: !c.active,
    datecreated: haloTime(c.createdAt),
    ulastupdate: haloTime(c.updatedAt),
    isserviceaccount: false
  }
}

import type { SimContact } from '../model.js'

/** ConnectWise timestamps have second precision and a `Z`. */
export const cwTime = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z')

/** A contact as ConnectWise's REST Contact model (and a callback's Entity) shows it. */
export function toConnectWiseContact (c: SimContact) {
  const items: unknown[] = c.emails.map((value, i) => ({
    id: i + 1, type: { id: 1, name: 'Email' }, value, defaultFlag: i === 0, communicationType: 'Email'
  }))
  if (c.phone) items.push({ id: items.length + 1, type: { id: 2, name: 'Direct' }, value: c.phone, defaultFlag: true, communicationType: 'Phone' })
  if (c.mobilePhone) {
    items.push({ id: items.length + 1, type: { id: 4, name: 'Cell' }, value: c.mobilePhone, defaultFlag: !c.phone, communicationType: 'Phone' })
  }
  return {
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    company: { id: c.company.id, identifier: c.company.identifier, name: c.company.name },
    site: { id: c.company.id, name: 'Main' },
    title: c.title ?? undefined,
    inactiveFlag: !c.active,
    ...(c.phone || c.mobilePhone ? { defaultPhoneType: c.phone ? 'Direct' : 'Cell', defaultPhoneNbr: c.phone ?? c.mobilePhone } : {}),
    communicationItems: items,
    _info: { lastUpdated: cwTime(c.updatedAt), dateEntered: cwTime(c.createdAt), updatedBy: 'simulator' }
  }
}

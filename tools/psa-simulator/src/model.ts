/** A PSA company (ConnectWise company, Autotask company, Halo client); the same record serves all three APIs. */
export interface SimCompany {
  id: number
  name: string
  /** ConnectWise's short company identifier */
  identifier: string
}

/** A contact as the simulator holds it; each PSA API shapes it its own way. */
export interface SimContact {
  id: number
  company: SimCompany
  firstName: string
  lastName: string
  title: string | null
  /** the first one is the primary; Autotask and Halo show at most three */
  emails: string[]
  phone: string | null
  mobilePhone: string | null
  active: boolean
  createdAt: string
  /** ISO-8601 UTC, strictly increasing across all changes in one simulator */
  updatedAt: string
}

export interface DeletedContact extends SimContact { deletedAt: string }

export interface NewContact {
  companyId: number
  firstName: string
  lastName: string
  title?: string | null
  emails?: string[]
  phone?: string | null
  mobilePhone?: string | null
  active?: boolean
}

export type ContactPatch = Partial<Omit<NewContact, 'companyId'>> & { companyId?: number }

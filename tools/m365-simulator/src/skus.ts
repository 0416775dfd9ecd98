import type { LicenseTier, SkuInput } from './types.js'

interface CatalogueEntry { skuId: string, servicePlans: string[] }

/** A few real SKUs (ids from the Microsoft licensing list) with a representative service-plan subset. */
const CATALOGUE: Record<string, CatalogueEntry> = {
  O365_BUSINESS_ESSENTIALS: { skuId: '3b555118-da6a-4418-894f-7df1e2096870', servicePlans: ['EXCHANGE_S_STANDARD', 'TEAMS1', 'SHAREPOINTSTANDARD'] },
  O365_BUSINESS_PREMIUM: { skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', servicePlans: ['EXCHANGE_S_STANDARD', 'TEAMS1', 'SHAREPOINTSTANDARD', 'OFFICE_BUSINESS'] },
  SPB: { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', servicePlans: ['EXCHANGE_S_STANDARD', 'TEAMS1', 'SHAREPOINTSTANDARD', 'OFFICE_BUSINESS', 'AAD_PREMIUM', 'MFA_PREMIUM', 'INTUNE_A'] },
  STANDARDPACK: { skuId: '18181a46-0d4e-45cd-891e-60aabd171b4e', servicePlans: ['EXCHANGE_S_STANDARD', 'TEAMS1', 'SHAREPOINTSTANDARD'] },
  ENTERPRISEPACK: { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', servicePlans: ['EXCHANGE_S_ENTERPRISE', 'TEAMS1', 'SHAREPOINTENTERPRISE', 'OFFICESUBSCRIPTION'] },
  SPE_E3: { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', servicePlans: ['EXCHANGE_S_ENTERPRISE', 'TEAMS1', 'SHAREPOINTENTERPRISE', 'OFFICESUBSCRIPTION', 'AAD_PREMIUM', 'MFA_PREMIUM', 'INTUNE_A'] },
  SPE_E5: { skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', servicePlans: ['EXCHANGE_S_ENTERPRISE', 'TEAMS1', 'SHAREPOINTENTERPRISE', 'OFFICESUBSCRIPTION', 'AAD_PREMIUM', 'AAD_PREMIUM_P2', 'MFA_PREMIUM', 'INTUNE_A'] },
  EMS: { skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e', servicePlans: ['AAD_PREMIUM', 'MFA_PREMIUM', 'INTUNE_A'] },
  AAD_PREMIUM: { skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4', servicePlans: ['AAD_PREMIUM', 'MFA_PREMIUM'] },
  AAD_PREMIUM_P2: { skuId: '84a661c4-e949-4bd2-a560-ed7766fcaf2b', servicePlans: ['AAD_PREMIUM', 'AAD_PREMIUM_P2', 'MFA_PREMIUM'] },
  EXCHANGESTANDARD: { skuId: '4b9405b0-7788-4568-add1-99614e613b69', servicePlans: ['EXCHANGE_S_STANDARD'] },
  FLOW_FREE: { skuId: 'f30db892-07e9-47e9-837c-80727f46fd3d', servicePlans: ['FLOW_P2_VIRAL'] },
  POWER_BI_STANDARD: { skuId: 'a403ebcc-fae0-4ca2-8c8c-7a907fd6c235', servicePlans: ['BI_AZURE_P0'] },
  POWER_BI_PRO: { skuId: 'f8a1db68-be16-40ed-86d5-cb42ce701560', servicePlans: ['BI_AZURE_P2'] },
  VISIOCLIENT: { skuId: 'c5928f49-12ba-48f7-ada3-0d743a3601d5', servicePlans: ['VISIO_CLIENT_SUBSCRIPTION'] },
  Microsoft_365_Copilot: { skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb', servicePlans: ['M365_COPILOT_APPS'] }
}

const PLAN_IDS: Record<string, string> = {
  EXCHANGE_S_STANDARD: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  SHAREPOINTSTANDARD: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72',
  AAD_PREMIUM: '41781fb2-bc02-4b7c-bd55-b576c07bb09d',
  AAD_PREMIUM_P2: 'eec0eb4f-6444-4f95-aba0-50c24d67f998',
  MFA_PREMIUM: '8a256a2b-b617-496d-b51b-e76466e88db0'
}

/** Known SKU id for a part number, if the simulator's catalogue has it. */
export const knownSkuId = (skuPartNumber: string) => CATALOGUE[skuPartNumber]?.skuId

export function servicePlansOf (skuPartNumber: string, skuId: string) {
  const names = CATALOGUE[skuPartNumber]?.servicePlans ?? [skuPartNumber]
  return names.map((servicePlanName) => ({
    servicePlanId: PLAN_IDS[servicePlanName] ?? skuId,
    servicePlanName,
    provisioningStatus: 'Success',
    appliesTo: 'User'
  }))
}

/** SKUs a generated tenant gets when the caller names none: what a typical tenant of that tier buys. */
export function defaultSkus (tier: LicenseTier): SkuInput[] {
  switch (tier) {
    case 'free':
      return [
        { skuPartNumber: 'O365_BUSINESS_PREMIUM', weight: 3 },
        { skuPartNumber: 'O365_BUSINESS_ESSENTIALS', weight: 1 },
        { skuPartNumber: 'FLOW_FREE', addOnShare: 0.2 }
      ]
    case 'p1':
      return [
        { skuPartNumber: 'SPB', weight: 4 },
        { skuPartNumber: 'O365_BUSINESS_ESSENTIALS', weight: 1 },
        { skuPartNumber: 'POWER_BI_PRO', addOnShare: 0.1 }
      ]
    case 'p2':
      return [
        { skuPartNumber: 'SPE_E5', weight: 1 },
        { skuPartNumber: 'SPE_E3', weight: 3 },
        { skuPartNumber: 'VISIOCLIENT', addOnShare: 0.05 }
      ]
  }
}

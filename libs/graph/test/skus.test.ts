import t from 'tap'
import { skuProductName } from '@m365/graph'

t.test('known part numbers map to product names', async (t) => {
  t.equal(skuProductName('ENTERPRISEPACK'), 'Office 365 E3')
  t.equal(skuProductName('10_ALR_ADDON'), '10-Year Audit Log Retention Add On', 'first data row')
})

t.test('quoted fields with commas are read whole', async (t) => {
  t.equal(skuProductName('CRM_AUTO_ROUTING_ADDON'),
    'Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization')
  t.equal(skuProductName('Power_Pages_authenticated_users_T3_min_1,000_units_100_users/per_site/month_capacity_pack'),
    'Power Pages authenticated users T3 min 1,000 units - 100 users/per site/month capacity pack', 'quoted part number')
})

t.test('the skuId decides when a part number has several names', async (t) => {
  t.equal(skuProductName('MCOPSTN5', 'd43177b5-475b-4880-92d4-d54c27b5efbd'), 'Skype for Business PSTN Calling Domestic Small')
  t.equal(skuProductName('MCOPSTN5', '54A152DC-90DE-4996-93D2-BC47E670FC06'), 'Skype for Business PSTN Domestic Calling (120 Minutes)', 'any case')
})

t.test('unknown SKUs fall back to the part number', async (t) => {
  t.equal(skuProductName('CONTOSO_CUSTOM_SKU'), 'CONTOSO_CUSTOM_SKU')
  t.equal(skuProductName('CONTOSO_CUSTOM_SKU', '00000000-0000-0000-0000-000000000000'), 'CONTOSO_CUSTOM_SKU')
})

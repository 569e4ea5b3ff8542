/** Landing query strings of a shop's campaign traffic for attribution tests: two Google Ads campaigns, a Meta one, a newsletter, and direct. */
export const CAMPAIGN_TOUCHES = [
  'utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=g',
  'utm_source=google&utm_medium=cpc&utm_campaign=generic',
  'utm_source=facebook&utm_medium=paid_social&utm_campaign=retarget&fbclid=f',
  'utm_source=newsletter&utm_medium=email&utm_campaign=weekly',
  '', // direct: never a touch
]

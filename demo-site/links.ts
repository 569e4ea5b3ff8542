/**
 * Sample campaign links into the demo shop, printed by `npm start`, so a visit from a
 * Google ad, a newsletter or a Facebook ad can be tried in a browser and found in the
 * dashboard under the right channel.
 *
 * @example
 * demoLinks('http://localhost:8787').forEach((line) => console.log(line))
 * // Google Ads (Paid Search):  http://localhost:8787/?utm_source=google&utm_medium=cpc&…&gclid=…
 */
export function demoLinks(baseUrl: string): string[] {
  const base = baseUrl.replace(/\/+$/, '')
  const link = (path: string, params: Record<string, string>) => `${base}${path}?${new URLSearchParams(params)}`
  const rows: [string, string][] = [
    ['Demo shop', `${base}/`],
    ['Google Ads (Paid Search)', link('/', { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand_search', utm_term: 'helpdesk software', gclid: 'demo-gclid-EAIaIQobChMI' })],
    ['Newsletter (Email)', link('/pricing', { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'november_digest' })],
    ['Facebook ad (Paid Social)', link('/', { utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'retargeting_q4', fbclid: 'demo-fbclid-IwAR2x' })],
    ['Dashboard', `${base}/dashboard/demo`],
  ]
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  return rows.map(([label, url]) => `  ${(label + ':').padEnd(width)}${url}`)
}

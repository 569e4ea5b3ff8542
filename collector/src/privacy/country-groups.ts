/**
 * Country groups a site may name in its consent regions, as ISO 3166-1 alpha-2 codes
 * (Greece is GR, as IP databases and proxies report it, not the EU's own "EL").
 *
 * - EU: the 27 member states, from the European Union's list of countries,
 *   <https://european-union.europa.eu/principles-countries-history/eu-countries_en>
 *   (retrieved 2026-12-01; the United Kingdom left on 2020-01-31).
 * - EEA: the EU plus the three EEA EFTA states Iceland, Liechtenstein and Norway, from
 *   EFTA's page on the EEA Agreement, <https://www.efta.int/eea/eea-agreement>
 *   (Switzerland is in EFTA but not in the EEA).
 */
export const EU_COUNTRIES = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
] as const

export const EEA_COUNTRIES = [...EU_COUNTRIES, 'IS', 'LI', 'NO'] as const

/** Group name -> its countries. */
export const COUNTRY_GROUPS: Readonly<Record<string, readonly string[]>> = { EU: EU_COUNTRIES, EEA: EEA_COUNTRIES }

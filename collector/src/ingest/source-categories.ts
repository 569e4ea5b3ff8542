import { readFileSync } from 'node:fs'

/** GA4's source categories, as in Google's list (`SOURCE_CATEGORY_SEARCH` → `search`). */
export type SourceCategory = 'search' | 'social' | 'video' | 'shopping'

const CATEGORIES: Record<string, SourceCategory> = {
  SOURCE_CATEGORY_SEARCH: 'search', SOURCE_CATEGORY_SOCIAL: 'social',
  SOURCE_CATEGORY_VIDEO: 'video', SOURCE_CATEGORY_SHOPPING: 'shopping',
}

/**
 * Reads Google's `source,source_category` list; throws naming the first line it cannot
 * read, so a broken data file stops the collector at start instead of misfiling traffic.
 *
 * @example
 * parseSourceCategories('source,source_category\ngoogle,SOURCE_CATEGORY_SEARCH\n').get('google') // 'search'
 */
export function parseSourceCategories(csv: string): Map<string, SourceCategory> {
  const out = new Map<string, SourceCategory>()
  const lines = csv.split(/\r?\n/)
  if (lines[0] !== 'source,source_category') throw new Error('source categories: line 1 must be the header source,source_category')
  lines.forEach((line, i) => {
    if (i === 0 || line === '') return
    const [source, category, extra] = line.split(',')
    const cat = CATEGORIES[category ?? '']
    if (!source || !cat || extra !== undefined) throw new Error(`source categories: line ${i + 1} is not "source,SOURCE_CATEGORY_…": ${line.slice(0, 80)}`)
    out.set(source.toLowerCase(), cat)
  })
  return out
}

/** Google's list, loaded once from collector/data (see the README there for source and date). */
export const SOURCE_CATEGORIES: ReadonlyMap<string, SourceCategory> =
  parseSourceCategories(readFileSync(new URL('../../data/ga4-source-categories.csv', import.meta.url), 'utf8'))

/**
 * The category of a source name by exact (case-insensitive) match, as GA4's "Source
 * matches a list of … sites": `google` is search, `google.com` and `accounts.google.com`
 * are not on the list and so are nothing.
 *
 * @example
 * sourceCategory('l.facebook.com') // 'social'
 * sourceCategory('notgoogle.com') // null
 */
export function sourceCategory(source: string | null): SourceCategory | null {
  return source ? SOURCE_CATEGORIES.get(source.toLowerCase()) ?? null : null
}

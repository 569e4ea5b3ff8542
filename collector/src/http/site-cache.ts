import type { Site } from '../model.ts'

const DEFAULT_TTL_MS = 5000
const MAX_ENTRIES = 10_000

/**
 * Sites as the ingest routes see them, kept for a few seconds. Every browser request
 * names its site, and a lookup right after a commit cost 17-41 µs; a site changes rarely.
 * Changes made through this process are seen at once (`forget`); another process's
 * (PostgreSQL) within the TTL. Unknown sites are not kept: a site created a moment later
 * must work at once.
 *
 * @example
 * const sites = new SiteCache((id) => store.getSite(id), () => Date.now())
 * const site = await sites.get('shop')
 */
export class SiteCache {
  private readonly entries = new Map<string, { at: number; site: Promise<Site | null> }>()

  constructor(
    private readonly load: (id: string) => Promise<Site | null>,
    private readonly now: () => number,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {}

  get(id: string): Promise<Site | null> {
    const now = this.now()
    const hit = this.entries.get(id)
    if (hit && now - hit.at >= 0 && now - hit.at < this.ttlMs) return hit.site
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear()
    const site = this.load(id)
    this.entries.set(id, { at: now, site })
    // Neither a failed lookup nor an unknown site is kept: the next request asks again.
    site.then((s) => { if (s === null) this.entries.delete(id) }, () => this.entries.delete(id))
    return site
  }

  /** Drops what is kept of a site (after it was created or changed here). */
  forget(id: string): void {
    this.entries.delete(id)
  }
}

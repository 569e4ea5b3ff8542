/** What every store-using command shares: the configured store, opened once and closed after. */
import { readEnvConfig } from '../config.ts'
import { openConfiguredStore, type OpenedStore } from '../store/open.ts'
import type { Site, Store } from '../store/types.ts'
import { CliError, type Invocation } from './command.ts'
import { Deriver } from '../derive/deriver.ts'

/**
 * Runs `fn` with the store named by DATA_DIR / DATABASE_URL (as the server reads them),
 * closing it afterwards whatever happens.
 *
 * @example
 * await withStore(inv, async ({ store }) => store.listSites())
 */
export async function withStore<T>(inv: Invocation, fn: (opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openConfiguredStore(readEnvConfig(inv.env))
  try {
    return await fn(opened)
  } finally {
    await opened.store.close()
  }
}

/** The site, or a CliError naming it and how to list the others. */
export async function requireSite(store: Store, id: string): Promise<Site> {
  const site = await store.getSite(id)
  if (!site) throw new CliError(`no site "${id}" (funnelbeam site list shows the sites)`)
  return site
}

/** A site as shown to people and scripts: never its secret hash. */
export function publicSite(site: Site): Omit<Site, 'secretHash' | 'created'> & { created: string } {
  const { secretHash: _hidden, ...pub } = site
  return { ...pub, created: new Date(site.created).toISOString() }
}

/**
 * Lets derivation catch up on what was acknowledged before a command reads events:
 * derives here unless another process (a running collector) does.
 */
export async function catchUp(store: Store, timeoutMs = 120_000): Promise<void> {
  const deriver = new Deriver(store, { log: () => {} })
  try {
    await deriver.settle(timeoutMs)
  } finally {
    await deriver.close()
  }
}

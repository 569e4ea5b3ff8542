import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Store } from './store/types.ts'
import type { Clock } from './clock.ts'
import { createSite } from './routes/sites.ts'

/**
 * The admin token: FUNNELBEAM_ADMIN_TOKEN, else the one stored in the data dir, else a new
 * one written there (mode 0600). `created` tells the caller to print it, once.
 */
export function resolveAdminToken(dataDir: string, fromEnv: string | null): { token: string; created: boolean; file: string | null } {
  if (fromEnv) return { token: fromEnv, created: false, file: null }
  const file = join(dataDir, 'admin-token')
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), created: false, file }
  mkdirSync(dataDir, { recursive: true })
  const token = randomBytes(24).toString('base64url')
  writeFileSync(file, token + '\n', { mode: 0o600 })
  return { token, created: true, file }
}

/**
 * Makes sure the `demo` site exists and allows localhost origins. Its secret is kept in the
 * data dir so `npm run seed` can load history through /api/events.
 */
export async function ensureDemoSite(store: Store, clock: Clock, dataDir: string): Promise<{ secret: string | null; created: boolean }> {
  const file = join(dataDir, 'demo-site-secret')
  if (await store.getSite('demo')) return { secret: existsSync(file) ? readFileSync(file, 'utf8').trim() : null, created: false }
  const made = await createSite(store, clock, { id: 'demo', origins: ['http://localhost', 'http://127.0.0.1'] })
  if (!made) return { secret: null, created: false }
  writeFileSync(file, made.secret + '\n', { mode: 0o600 })
  return { secret: made.secret, created: true }
}

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../../collector/src/store/sqlite.ts'
import { storeContract } from './contract.ts'

storeContract('SQLite', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'funnelbeam-store-'))
    const store = new SqliteStore(join(dir, 'test.db'))
    return {
      store,
      async sessions(site) {
        return store.db.prepare('SELECT id, pageviews, channel FROM sessions WHERE site = ? ORDER BY started').all(site) as never
      },
      async eventSessions(site) {
        return (store.db.prepare('SELECT session_id FROM events WHERE site = ? ORDER BY rowid').all(site) as { session_id: string | null }[]).map((r) => r.session_id)
      },
      async cleanup() {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
})

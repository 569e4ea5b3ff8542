import { serve } from '@hono/node-server'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../collector/src/app.ts'
import { DEFAULT_CONFIG } from '../collector/src/config.ts'
import { SqliteStore } from '../collector/src/store/sqlite.ts'
import { createSite } from '../collector/src/routes/sites.ts'
import { systemClock } from '../collector/src/clock.ts'
import { Deriver } from '../collector/src/derive/deriver.ts'
import { threadDeriver } from '../collector/src/derive/background.ts'
const dir = mkdtempSync(join(tmpdir(), 'mode-'))
const file = join(dir, 'b.db')
const store = new SqliteStore(file)
await createSite(store, systemClock, { id: 'bench', origins: ['http://localhost'] })
const mode = process.env.MODE
const deriver = mode === 'thread' ? threadDeriver(store, file, console.error) : mode === 'none' ? { poke() {}, settle: async () => {}, close: async () => {} } : new Deriver(store)
const app = createApp({ store, deriver, config: { ...DEFAULT_CONFIG, adminToken: 'x', allowBots: true, rateLimit: { max: 1e9, windowMs: 60_000 } }, log: () => {} })
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT) }, () => console.log('listening'))
setTimeout(() => process.exit(0), 9000)

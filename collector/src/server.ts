import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runServer } from './run-server.ts'
import { systemClock } from './clock.ts'
import { ensureDemoSite } from './bootstrap.ts'
import { demoSiteRoutes } from '../../demo-site/routes.ts'
import { demoLinks } from '../../demo-site/links.ts'

// `npm start`: the collector plus the demo shop at / and the site "demo" it sends to.
const root = resolve(fileURLToPath(import.meta.url), '../../..')
let demo = { created: false }
let secretFile = ''
await runServer({
  async prepare(store, config) {
    secretFile = join(config.dataDir, 'demo-site-secret')
    demo = await ensureDemoSite(store, systemClock, config.dataDir)
  },
  routes: (app) => app.route('/', demoSiteRoutes(join(root, 'demo-site/public'))),
  banner: (url) => [
    ...(demo.created ? [`Site "demo" created; its secret (for /api/events) is in ${secretFile}`] : []),
    `Dashboard: ${url}/dashboard/demo`,
    ...demoLinks(url),
  ],
  started: (logger) => { if (demo.created) logger.info('site created', { site: 'demo', secretFile }) },
})

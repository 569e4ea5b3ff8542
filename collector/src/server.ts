import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { relaunchWithHugePages } from './huge-pages.ts'

// `npm start`: the collector plus the demo shop at / and the site "demo" it sends to. Where
// huge pages pay, this process only waits for the one started with them (huge-pages.ts), so
// it loads nothing else.
const relaunched = await relaunchWithHugePages()
if (relaunched !== null) process.exit(relaunched)
const { runServer } = await import('./run-server.ts')
const { systemClock } = await import('./clock.ts')
const { ensureDemoSite } = await import('./bootstrap.ts')
const { demoSiteRoutes } = await import('../../demo-site/routes.ts')
const { demoLinks } = await import('../../demo-site/links.ts')
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

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, extname, join, relative, sep } from 'node:path'
import { Hono } from 'hono'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

/** The shop runs without inline code, so it can show what a strict policy looks like. */
export const DEMO_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ')

/** Clean page URLs; `/app/*` is the single-page section, so every route there gets its shell. */
function pageFile(path: string): string | null {
  if (path === '/') return 'index.html'
  if (path === '/app' || path.startsWith('/app/')) return 'app.html'
  const m = path.match(/^\/(pricing|signup|checkout|thanks)\/?$/)
  return m ? `${m[1]}.html` : null
}

const PLANS = new Set(['starter', 'pro', 'team'])

/**
 * Serves the demo shop from `dir`. Only files that exist in `dir` when the app is built
 * can be served: request paths are looked up in that list and never joined onto the
 * file system, so `..` and encoded tricks cannot escape the folder. Unknown paths fall
 * through to the next handler, so the shop can be mounted at `/` beside the collector.
 *
 * @example
 * app.route('/', demoSiteRoutes(new URL('./public', import.meta.url).pathname))
 */
export function demoSiteRoutes(dir: string): Hono {
  const files = listFiles(dir)
  const partials = readPartials(join(dir, '..', 'partials'))
  const app = new Hono()

  // The signup form posts here (keeping the email out of URLs and so out of analytics)
  // and goes on to checkout; the SDK has already sent the lead conversion on submit.
  app.post('/signup', async function demoSignup(c) {
    const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
    const plan = typeof form.plan === 'string' && PLANS.has(form.plan) ? form.plan : 'pro'
    return c.redirect(`/checkout?plan=${plan}`, 303)
  })

  app.on(['GET', 'HEAD'], '*', async function demoStatic(c, next) {
    const name = pageFile(c.req.path) ?? c.req.path.slice(1)
    const file = files.get(name)
    if (!file) return next()
    const body = extname(file) === '.html' ? expandIncludes(await readFile(file, 'utf8'), partials) : await readFile(file)
    c.header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
    c.header('content-security-policy', DEMO_CSP)
    c.header('x-content-type-options', 'nosniff')
    c.header('cache-control', 'no-cache')
    return c.body(body)
  })
  return app
}

/** Maps URL names (`js/consent.js`) to absolute paths of the files under `dir`. */
function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      if (entry.startsWith('.')) continue
      const full = join(d, entry)
      if (statSync(full).isDirectory()) walk(full)
      else if (TYPES[extname(entry)]) out.set(relative(dir, full).split(sep).join('/'), full)
    }
  }
  walk(dir)
  return out
}

/**
 * Replaces `<!--#include name-->` with the partial `name.html`, so the SDK snippet, header,
 * footer and consent banner that every page shares live in one file each. An optional
 * path (`<!--#include header /pricing-->`) marks the link to the current page with
 * `aria-current`. An unknown name is left as it is.
 *
 * @example
 * expandIncludes('<!--#include nav /a-->', new Map([['nav', '<a href="/a">A</a>']]))
 * // '<a href="/a" aria-current="page">A</a>'
 */
export function expandIncludes(html: string, partials: Map<string, string>): string {
  return html.replace(/<!--#include ([a-z0-9-]+)(?: (\/[^\s>]*))?-->\n?/g, (marker, name: string, current?: string) => {
    const part = partials.get(name)
    if (part === undefined) return marker
    return current ? part.replace(`href="${current}"`, `href="${current}" aria-current="page"`) : part
  })
}

/** Reads the shared page parts once, when the routes are built. */
function readPartials(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  if (!existsSync(dir)) return out
  for (const f of readdirSync(dir)) if (f.endsWith('.html')) out.set(basename(f, '.html'), readFileSync(join(dir, f), 'utf8'))
  return out
}

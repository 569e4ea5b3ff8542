/** `GET /openapi.json` and `GET /docs`: the API description, and a page that renders it (self-hosted, no script). */
import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import { openApiDocument } from '../http/openapi.ts'

const CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.5rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:1.6rem 0 .3rem}
code,pre{font:13px/1.4 ui-monospace,monospace}pre{background:#f5f6f8;padding:.6rem;overflow:auto;max-height:24rem}
.m{display:inline-block;min-width:4rem;font-weight:600;color:#fff;background:#4b5563;padding:0 .4rem;border-radius:3px;text-align:center}
.get{background:#2563eb}.post{background:#16a34a}.put{background:#b45309}.patch{background:#7c3aed}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #e1e4e8;padding:.25rem .5rem;text-align:left;vertical-align:top}
nav li{list-style:none}nav a{text-decoration:none}.auth{color:#6b7280}`
// The page runs no script; its one inline style is allowed by hash, nothing else loads.
const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`

type Doc = { info: { title: string; version: string; description: string }; paths: Record<string, Record<string, Op>> }
type Op = {
  operationId: string; tags: string[]; summary: string; security: Record<string, string[]>[]
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[]
  requestBody?: { content: Record<string, { schema: unknown }> }
  responses: Record<string, { description: string }>
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

/** A parameter's schema in a few words: type, allowed values, default, pattern, limits. */
function brief(s: Record<string, unknown>): string {
  const items = s.items as Record<string, unknown> | undefined
  const parts = [s.type === 'array' && items ? `${items.type ?? 'value'}, repeatable` : (s.type as string | undefined) ?? (s.anyOf ? 'one of several forms' : 'any')]
  if (Array.isArray(s.enum)) parts.push(`one of ${s.enum.join(', ')}`)
  if (s.pattern) parts.push(`pattern ${s.pattern}`)
  for (const [k, label] of [['minLength', 'min length'], ['maxLength', 'max length'], ['minimum', 'min'], ['maximum', 'max'], ['minItems', 'at least'], ['maxItems', 'at most']] as const) if (s[k] !== undefined) parts.push(`${label} ${s[k]}`)
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`)
  return parts.join('; ')
}

/**
 * The description rendered as one HTML page: operations grouped by tag, each with its
 * parameters, request body schemas and answers.
 *
 * @example
 * const html = docsPage(openApiDocument('0.1.0'))
 */
export function docsPage(doc: Doc): string {
  const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op })))
  const tags = [...new Set(ops.map((o) => o.op.tags[0]))]
  const section = ({ path, method, op }: (typeof ops)[number]) => {
    const auth = op.security.length ? `needs ${op.security.map((s) => Object.keys(s)[0]).join(' or ')}` : 'no authentication'
    const params = op.parameters?.length ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${op.parameters.map((p) =>
      `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${esc(brief(p.schema))}</td></tr>`).join('')}</table>` : ''
    const body = op.requestBody ? Object.entries(op.requestBody.content).map(([type, c]) =>
      `<h3>Body: <code>${esc(type)}</code></h3><pre>${esc(JSON.stringify(c.schema, null, 2))}</pre>`).join('') : ''
    const answers = `<ul>${Object.entries(op.responses).map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description)}</li>`).join('')}</ul>`
    return `<section id="${esc(op.operationId)}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)} <span class="auth">(${esc(auth)})</span></p>${params}${body}${answers}</section>`
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API</title><style>${CSS}</style></head><body>
<h1>${esc(doc.info.title)} API <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)} Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<nav><ul>${ops.map(({ path, method, op }) => `<li><a href="#${esc(op.operationId)}"><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></a> ${esc(op.summary)}</li>`).join('')}</ul></nav>
${tags.map((t) => `<h2>${esc(t)}</h2>${ops.filter((o) => o.op.tags[0] === t).map(section).join('\n')}`).join('\n')}
</body></html>`
}

/** The two routes; the document is built once per app. */
export function docsRoutes(version: string): Hono {
  const app = new Hono()
  const doc = openApiDocument(version)
  const html = docsPage(doc as unknown as Doc)
  app.get('/openapi.json', function openApi(c) {
    return c.json(doc, 200, { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' })
  })
  app.get('/docs', function docs(c) {
    return c.html(html, 200, { 'content-security-policy': CSP, 'cache-control': 'public, max-age=300' })
  })
  return app
}

/**
 * The OpenAPI 3.1 description of the collector's HTTP API, built from the zod schemas that
 * validate requests (`schemas/events.ts`, `reports/query.ts`, `reports/spend.ts`), so a
 * change to what a route accepts changes its description with it. Served at
 * `/openapi.json` and rendered at `/docs`; a test checks every route of the app is here.
 */
import { z } from 'zod'
import {
  newSiteSchema, serverBatchSchema, serverEventSchema, sitePatchSchema, siteId, wireBatchSchema, wireEventSchema,
} from '../schemas/events.ts'
import {
  attributionOptionParams, dimensionParams, experimentParams, funnelOptionParams, funnelStepParams, rangeParams,
} from '../reports/query.ts'
import { rowSchema } from '../reports/spend.ts'
import { SESSION_COOKIE } from '../dashboard/session.ts'
import { consentRegionsSchema } from '../privacy/consent-regions.ts'
import { filterQuery as spendFilterQuery, uploadQuery as spendUploadQuery } from '../routes/spend.ts'
import { options as exportOptions } from '../routes/exports.ts'
import { BODIES as destinationBodies } from '../routes/destinations.ts'
import { budgetDeleteParams, budgetListParams } from '../routes/cockpit.ts'
import { uploadForm as dashboardSpendForm } from '../routes/dashboard-ads.ts'
import { budgetSchema } from '../reports/budgets.ts'
import { timeseriesParams } from '../reports/timeseries-service.ts'
import { pacingParams } from '../reports/pacing-service.ts'
import { segmentParams } from '../reports/segment.ts'
import { EXPORT_PLATFORMS } from '../exports/formats.ts'
import { DESTINATION_PLATFORMS } from '../exports/senders.ts'
import { newTokenSchema } from '../routes/tokens.ts'
import { body as goalSchema, GOAL_NAME } from '../reports/goals.ts'
import { definition as alertSchema } from '../alerts/rules.ts'
import { historyParams as alertHistoryParams } from '../routes/alerts.ts'

type JsonSchema = Record<string, unknown>
/** admin: the admin token; reader: also the site's report token or a dashboard session; session: a dashboard session. */
type Auth = 'admin' | 'reader' | 'session' | 'site' | 'none'

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  /** Hono's form: `/api/sites/:site`. */
  path: string
  tag: string
  summary: string
  description?: string
  auth: Auth
  query?: z.ZodObject[]
  /** Path parameters other than `site` (plain strings when not named here). */
  pathParams?: Record<string, z.ZodType>
  body?: Record<string, z.ZodType>
  /** Status → description and, for JSON, the schema of the answer. */
  responses: Record<string, { description: string; content?: Record<string, z.ZodType | null> }>
}

/** What every error answers. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(), message: z.string(),
    issues: z.array(z.object({ path: z.string().optional(), index: z.number().int().optional(), code: z.string().optional(), message: z.string() })).optional(),
  }),
})
const ingestResult = z.object({
  accepted: z.number().int(), duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), code: z.string(), message: z.string() })),
})
const publicSite = z.object({ id: z.string(), origins: z.array(z.string()), currency: z.string(), timezone: z.string(), created: z.number().int(), consentRegions: consentRegionsSchema.nullable().optional() })
const report = z.record(z.string(), z.unknown()).describe('the report (fields in the README)')
const loginForm = z.object({ token: z.string().max(512), next: z.string().optional() })

// Documentation views of the batches: the routes check the envelope first and then each
// event on its own (so one bad event cannot sink the rest); here the two are put together.
const collectBody = wireBatchSchema.extend({ e: z.array(wireEventSchema).min(1).max(100) })
const serverBody = serverBatchSchema.extend({ events: z.array(serverEventSchema).min(1).max(100) })
const spendRows = z.array(rowSchema('EUR')).max(10_000)

const reportQuery = {
  summary: [rangeParams], funnel: [rangeParams, funnelStepParams, funnelOptionParams], channels: [rangeParams, attributionOptionParams],
  campaigns: [rangeParams, attributionOptionParams], attribution: [rangeParams, attributionOptionParams, dimensionParams],
  experiment: [rangeParams, experimentParams],
}
const formatParam = z.object({ format: z.enum(['json', 'csv']).default('json') })
const reportAnswer = {
  200: { description: 'the report as JSON, or its rows as CSV with format=csv', content: { 'application/json': report, 'text/csv': null } },
  400: { description: 'a bad parameter, one issue each' }, 401: { description: 'no token' }, 403: { description: 'wrong token' }, 404: { description: 'no such site' },
}

function reportOp(path: string, summary: string, query: z.ZodObject[]): Operation {
  // Every report takes the segment filters (issue 11); pacing only those that split spend.
  return { method: 'get', path: `/api/sites/:site/${path}`, tag: 'Reports', summary, auth: 'reader', query: [...query, segmentParams, formatParam], responses: reportAnswer }
}

export const OPERATIONS: Operation[] = [
  {
    method: 'post', path: '/collect', tag: 'Ingest', summary: 'A batch of browser events (the SDK sends text/plain: no CORS preflight)', auth: 'none',
    body: { 'text/plain': collectBody, 'application/json': collectBody },
    responses: { 200: { description: 'what was stored, what was a duplicate, what was rejected and why', content: { 'application/json': ingestResult } }, 400: { description: 'not a batch' }, 403: { description: 'unknown site or origin not allowed' }, 413: { description: 'body over 64 KiB' }, 429: { description: 'rate limited (Retry-After)' } },
  },
  {
    method: 'get', path: '/pixel.gif', tag: 'Ingest', summary: 'One event for an <img> tag: the /collect event keys as query parameters, props as p.<key>', auth: 'none',
    query: [z.object({ s: siteId }), wireEventSchema.omit({ p: true }).partial()],
    responses: { 200: { description: 'always a 1×1 GIF; a problem is named in X-Funnelbeam-Error', content: { 'image/gif': null } } },
  },
  {
    method: 'post', path: '/api/events', tag: 'Ingest', summary: 'Server-side and offline events (Bearer site secret)', auth: 'site',
    body: { 'application/json': serverBody },
    responses: { 200: { description: 'what was stored', content: { 'application/json': ingestResult } }, 400: { description: 'not a batch' }, 401: { description: 'no secret' }, 403: { description: 'wrong secret' } },
  },
  { method: 'get', path: '/api/sites', tag: 'Sites', summary: 'Lists the sites', auth: 'admin', responses: { 200: { description: 'every site, by id', content: { 'application/json': z.array(publicSite) } }, 401: { description: 'no token' }, 403: { description: 'wrong token' } } },
  {
    method: 'post', path: '/api/sites', tag: 'Sites', summary: 'Creates a site; the answer holds its secret, shown once', auth: 'admin', body: { 'application/json': newSiteSchema },
    responses: { 201: { description: 'created', content: { 'application/json': z.object({ id: z.string(), secret: z.string() }) } }, 400: { description: 'invalid site' }, 409: { description: 'the site exists' } },
  },
  { method: 'get', path: '/api/sites/:site', tag: 'Sites', summary: 'Shows a site (never its secret)', auth: 'admin', responses: { 200: { description: 'the site', content: { 'application/json': publicSite } }, 404: { description: 'no such site' } } },
  {
    method: 'patch', path: '/api/sites/:site', tag: 'Sites', summary: "Changes a site's origins, currency or time zone", auth: 'admin', body: { 'application/json': sitePatchSchema },
    responses: { 200: { description: 'the changed site', content: { 'application/json': publicSite } }, 400: { description: 'invalid change' }, 404: { description: 'no such site' } },
  },
  reportOp('summary', 'Visitors, sessions, pageviews, conversions and revenue', reportQuery.summary),
  reportOp('funnel', 'Funnel of 2–10 steps, optionally broken down', reportQuery.funnel),
  reportOp('channels', 'Channels with attributed conversions, spend, CPA and ROAS', reportQuery.channels),
  reportOp('campaigns', 'Campaigns (source / medium / campaign) with attributed conversions and spend', reportQuery.campaigns),
  reportOp('attribution', 'Conversions credited by an attribution model', reportQuery.attribution),
  reportOp('experiments/:name', 'A/B readout with lift, interval, p-value and sample-ratio check', reportQuery.experiment),
  {
    method: 'put', path: '/api/sites/:site/spend', tag: 'Spend', summary: 'Imports ad spend: a Google Ads, Meta or Yandex Direct export as downloaded, or canonical CSV / JSON; rows with the same date, source, medium and campaign replace each other', auth: 'admin',
    query: [spendUploadQuery],
    body: { 'text/csv': z.string().describe('a platform export, or the header date,source,medium,campaign,cost,impressions,clicks[,currency]'), 'application/json': spendRows },
    responses: { 200: { description: 'the format, rows written, lines skipped and campaigns no session matches', content: { 'application/json': report } }, 400: { description: 'a bad row, named by line and column' }, 413: { description: 'over 4 MiB' } },
  },
  { method: 'get', path: '/api/sites/:site/spend', tag: 'Spend', summary: 'Lists stored spend rows', auth: 'admin', query: [spendFilterQuery], responses: { 200: { description: 'rows (at most 10,000; truncated says when more matched)', content: { 'application/json': report } }, 400: { description: 'a bad filter' } } },
  { method: 'delete', path: '/api/sites/:site/spend', tag: 'Spend', summary: 'Deletes the spend rows a filter names (a filter is required)', auth: 'admin', query: [spendFilterQuery], responses: { 200: { description: 'rows deleted', content: { 'application/json': z.object({ deleted: z.number().int() }) } }, 400: { description: 'no filter, or a bad one' } } },
  {
    method: 'get', path: '/api/sites/:site/exports/:platform', tag: 'Ad platforms', summary: "Conversions as the platform's upload file, credited to the visitor's last click of that platform", auth: 'admin',
    pathParams: { platform: z.enum(EXPORT_PLATFORMS) }, query: [rangeParams, exportOptions],
    responses: { 200: { description: 'the file (X-Conversions: how many)', content: { 'text/csv': null, 'application/json': null } }, 400: { description: 'a bad parameter' }, 404: { description: 'no such site or platform' } },
  },
  {
    method: 'put', path: '/api/sites/:site/destinations/:platform', tag: 'Ad platforms', summary: 'Sets where new conversions are sent (Meta CAPI, Google Data Manager, Yandex Metrica); the token is stored, never shown', auth: 'admin',
    pathParams: { platform: z.enum(DESTINATION_PLATFORMS) }, body: { 'application/json': z.union(Object.values(destinationBodies).map((b) => b.schema) as [z.ZodType, z.ZodType, ...z.ZodType[]]) },
    responses: { 200: { description: 'the destination, token shown as "set"', content: { 'application/json': report } }, 400: { description: 'invalid settings' }, 404: { description: 'no such site or platform' } },
  },
  { method: 'get', path: '/api/sites/:site/destinations', tag: 'Ad platforms', summary: "The site's destinations (tokens never shown)", auth: 'admin', responses: { 200: { description: 'destinations', content: { 'application/json': report } } } },
  { method: 'delete', path: '/api/sites/:site/destinations/:platform', tag: 'Ad platforms', summary: 'Stops sending to a platform', auth: 'admin', pathParams: { platform: z.enum(DESTINATION_PLATFORMS) }, responses: { 200: { description: 'deleted', content: { 'application/json': report } }, 404: { description: 'no such site or destination' } } },
  { method: 'get', path: '/api/sites/:site/destinations/:platform/deliveries', tag: 'Ad platforms', summary: 'Delivery counts and the latest deliveries to a platform', auth: 'admin', pathParams: { platform: z.enum(DESTINATION_PLATFORMS) }, responses: { 200: { description: 'deliveries', content: { 'application/json': report } }, 404: { description: 'no such site or platform' } } },
  {
    method: 'put', path: '/api/sites/:site/budgets', tag: 'Budgets', summary: 'Sets monthly budgets per channel or source / medium / campaign, with optional CPA and ROAS targets', auth: 'admin',
    body: { 'application/json': z.array(budgetSchema('EUR')).max(1000) },
    responses: { 200: { description: 'budgets written', content: { 'application/json': z.object({ upserted: z.number().int() }) } }, 400: { description: 'a bad budget, named by row and field' } },
  },
  { method: 'get', path: '/api/sites/:site/budgets', tag: 'Budgets', summary: 'Lists budgets (of a month)', auth: 'admin', query: [budgetListParams, formatParam], responses: reportAnswer },
  { method: 'delete', path: '/api/sites/:site/budgets', tag: 'Budgets', summary: "Deletes a month's budgets, or one scope's", auth: 'admin', query: [budgetDeleteParams], responses: { 200: { description: 'budgets deleted', content: { 'application/json': z.object({ deleted: z.number().int() }) } }, 400: { description: 'a bad parameter' } } },
  {
    method: 'post', path: '/api/sites/:site/tokens', tag: 'Access', summary: "Creates a report token for one site (reading routes only); the answer holds it, shown once", auth: 'admin',
    body: { 'application/json': newTokenSchema }, responses: { 201: { description: 'the token and its id', content: { 'application/json': report } }, 400: { description: 'invalid label' }, 404: { description: 'no such site' } },
  },
  { method: 'get', path: '/api/sites/:site/tokens', tag: 'Access', summary: "The site's report tokens (never the tokens themselves)", auth: 'admin', responses: { 200: { description: 'tokens', content: { 'application/json': report } } } },
  { method: 'delete', path: '/api/sites/:site/tokens/:id', tag: 'Access', summary: 'Revokes a report token (and the dashboard sessions it opened)', auth: 'admin', pathParams: { id: z.string().regex(/^[0-9a-f]{16}$/) }, responses: { 200: { description: 'revoked', content: { 'application/json': report } }, 404: { description: 'no such token' } } },
  ...(['visitors', 'users'] as const).flatMap((kind): Operation[] => [
    { method: 'get', path: `/api/sites/:site/${kind}/:id`, tag: 'Privacy', summary: `Everything stored about one ${kind.slice(0, -1)} (data-subject export)`, auth: 'admin', responses: { 200: { description: 'events, sessions, pending and quarantined rows', content: { 'application/json': report } }, 404: { description: 'no such site' } } },
    { method: 'delete', path: `/api/sites/:site/${kind}/:id`, tag: 'Privacy', summary: `Erases one ${kind.slice(0, -1)} (events, sessions, pending and quarantined rows)`, auth: 'admin', responses: { 200: { description: 'what was erased', content: { 'application/json': report } }, 404: { description: 'no such site' } } },
  ]),
  {
    method: 'put', path: '/api/sites/:site/goals/:name', tag: 'Goals', summary: 'Defines a goal without code: a path glob or an event (with props), optionally with a value', auth: 'admin',
    pathParams: { name: z.string().regex(GOAL_NAME) }, body: { 'application/json': goalSchema },
    responses: { 200: { description: 'the goal', content: { 'application/json': report } }, 400: { description: 'a bad field' } },
  },
  { method: 'get', path: '/api/sites/:site/goals', tag: 'Goals', summary: "The site's goals", auth: 'admin', query: [formatParam], responses: reportAnswer },
  { method: 'delete', path: '/api/sites/:site/goals/:name', tag: 'Goals', summary: 'Deletes a goal', auth: 'admin', pathParams: { name: z.string().regex(GOAL_NAME) }, responses: { 200: { description: 'deleted', content: { 'application/json': report } }, 404: { description: 'no such goal' } } },
  { method: 'get', path: '/api/sites/:site/alerts/history', tag: 'Alerts', summary: 'Incidents, newest first, with message delivery', auth: 'admin', query: [alertHistoryParams, formatParam], responses: reportAnswer },
  { method: 'get', path: '/api/sites/:site/alerts', tag: 'Alerts', summary: "The site's alert rules (webhooks withheld)", auth: 'admin', query: [formatParam], responses: reportAnswer },
  { method: 'get', path: '/api/sites/:site/alerts/:id', tag: 'Alerts', summary: 'One alert rule', auth: 'admin', responses: { 200: { description: 'the rule', content: { 'application/json': report } }, 404: { description: 'no such rule' } } },
  {
    method: 'put', path: '/api/sites/:site/alerts/:id', tag: 'Alerts', summary: 'Sets an alert rule with its webhook (judged once a minute)', auth: 'admin',
    body: { 'application/json': alertSchema }, responses: { 200: { description: 'the rule', content: { 'application/json': report } }, 400: { description: 'a bad field' } },
  },
  { method: 'delete', path: '/api/sites/:site/alerts/:id', tag: 'Alerts', summary: 'Deletes an alert rule', auth: 'admin', responses: { 200: { description: 'deleted', content: { 'application/json': report } }, 404: { description: 'no such rule' } } },
  reportOp('pacing', "Budget pacing: spend and credited conversions against the month's budgets, with reallocation hints", [pacingParams]),
  reportOp('timeseries', 'Trends per day (or hour) with the previous period beside each', [rangeParams, timeseriesParams]),
  { method: 'get', path: '/healthz', tag: 'Operations', summary: 'Liveness and how far reports lag behind ingest', auth: 'none', responses: { 200: { description: 'ok', content: { 'application/json': z.object({ ok: z.boolean(), derivation: z.object({ pendingEvents: z.number().int(), lagSeconds: z.number() }) }) } } } },
  { method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics', auth: 'none', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': null } } } },
  { method: 'get', path: '/openapi.json', tag: 'Operations', summary: 'This description', auth: 'none', responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': null } } } },
  { method: 'get', path: '/docs', tag: 'Operations', summary: 'This description as a page', auth: 'none', responses: { 200: { description: 'HTML', content: { 'text/html': null } } } },
  { method: 'get', path: '/funnelbeam.js', tag: 'SDK', summary: 'The script-tag SDK', auth: 'none', responses: { 200: { description: 'JavaScript (ETag, If-None-Match)', content: { 'text/javascript': null } }, 304: { description: 'not modified' } } },
  { method: 'get', path: '/dashboard', tag: 'Dashboard', summary: 'Sign-in page', auth: 'none', responses: { 200: { description: 'HTML', content: { 'text/html': null } } } },
  {
    method: 'post', path: '/dashboard/login', tag: 'Dashboard', summary: 'Signs in with the admin token: sets an HttpOnly cookie', auth: 'none', body: { 'application/x-www-form-urlencoded': loginForm },
    responses: { 303: { description: 'to the dashboard, signed in' }, 401: { description: 'wrong token (HTML)' }, 403: { description: 'form sent from another site (HTML)' }, 429: { description: 'too many attempts (HTML)' } },
  },
  { method: 'get', path: '/dashboard/logout', tag: 'Dashboard', summary: 'Signs out', auth: 'none', responses: { 303: { description: 'to the sign-in page' } } },
  { method: 'get', path: '/dashboard/open', tag: 'Dashboard', summary: "Goes to a site's dashboard (the sign-in page's site field)", auth: 'none', query: [z.object({ site: siteId })], responses: { 303: { description: "to the site's dashboard" } } },
  { method: 'get', path: '/dashboard/_/dashboard.css', tag: 'Dashboard', summary: "The dashboard's style sheet", auth: 'none', responses: { 200: { description: 'CSS', content: { 'text/css': null } } } },
  { method: 'get', path: '/dashboard/:site/alerts', tag: 'Dashboard', summary: 'Alerts page: rules and incident history (signed in)', auth: 'session', responses: { 200: { description: 'HTML', content: { 'text/html': null } }, 303: { description: 'to the sign-in page when not signed in' } } },
  { method: 'get', path: '/dashboard/:site/ads', tag: 'Dashboard', summary: 'Ad platforms page: spend upload form, conversion exports, destinations (signed in)', auth: 'session', responses: { 200: { description: 'HTML', content: { 'text/html': null } }, 303: { description: 'to the sign-in page when not signed in' } } },
  {
    method: 'post', path: '/dashboard/:site/spend', tag: 'Dashboard', summary: 'The spend upload form (same origin, signed in)', auth: 'session',
    body: { 'multipart/form-data': dashboardSpendForm },
    responses: { 303: { description: 'back to the ad platforms page with the outcome' }, 403: { description: 'form sent from another site (HTML)' } },
  },
  {
    method: 'get', path: '/dashboard/:site', tag: 'Dashboard', summary: "A site's dashboard (signed in)", auth: 'session',
    query: [rangeParams, z.object({ model: attributionOptionParams.shape.model, conversion: attributionOptionParams.shape.conversion, step: funnelStepParams.shape.step.optional() })],
    responses: { 200: { description: 'HTML', content: { 'text/html': null } }, 303: { description: 'to the sign-in page when not signed in' } },
  },
]

/**
 * The OpenAPI 3.1 document.
 *
 * @example
 * const doc = openApiDocument('0.1.0')
 * doc.paths['/api/sites/{site}/funnel'].get.parameters // [{ name: 'from', in: 'query', … }, …]
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of OPERATIONS) {
    const path = op.path.replace(/:(\w+)/g, '{$1}')
    const pathParams = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1], in: 'path', required: true,
      schema: m[1] === 'site' ? schemaOf(siteId) : op.pathParams?.[m[1]] ? schemaOf(op.pathParams[m[1]]) : { type: 'string', minLength: 1, maxLength: 200 },
    }))
    const query = (op.query ?? []).flatMap((o) => Object.entries(o.shape).map(([name, s]) => queryParam(name, s as z.ZodType)))
    const security = {
      none: [], site: [{ siteSecret: [] }], admin: [{ adminToken: [] }], session: [{ dashboardSession: [] }],
      reader: [{ adminToken: [] }, { reportToken: [] }, { dashboardSession: [] }],
    }[op.auth]
    paths[path] ??= {}
    paths[path][op.method] = {
      operationId: operationId(op), tags: [op.tag], summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security,
      ...(pathParams.length || query.length ? { parameters: [...pathParams, ...query] } : {}),
      ...(op.body ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(op.body).map(([type, s]) => [type, { schema: schemaOf(s) }])) } } : {}),
      responses: Object.fromEntries(Object.entries(op.responses).map(([status, r]) => [status, {
        description: r.description,
        ...(r.content ? { content: Object.fromEntries(Object.entries(r.content).map(([type, s]) => [type, s ? { schema: schemaOf(s) } : {}])) }
          : Number(status) >= 400 ? { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : {}),
      }])),
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Funnelbeam collector', version, license: { name: 'MIT', identifier: 'MIT' },
      description: 'Self-hosted conversion tracking: ingest (browser SDK, pixel, server events), sites, reports and spend. Errors answer { "error": { "code", "message", "issues"? } }.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Error: schemaOf(errorBodySchema) },
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'the admin token (FUNNELBEAM_ADMIN_TOKEN or DATA_DIR/admin-token)' },
        siteSecret: { type: 'http', scheme: 'bearer', description: "a site's secret, from POST /api/sites or funnelbeam site add" },
        dashboardSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: "the dashboard session set by POST /dashboard/login: a report token's opens the site's pages and reading routes; an admin's also the site's admin routes under /api/sites/{site} that the dashboard links to (never a Bearer-only route such as tokens)" },
        reportToken: { type: 'http', scheme: 'bearer', description: 'a report token of one site (reading routes only; POST /api/sites/{site}/tokens)' },
      },
    },
  }
}

/** `getApiSitesSiteSummary`-style ids, unique per method and path. */
function operationId(op: Operation): string {
  const words = op.path.split(/[/._:-]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1))
  return op.method + (words.join('') || 'Root')
}

/** The JSON Schema of what a request may send (zod's input side), without the $schema line. */
function schemaOf(s: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema
  return rest
}

function queryParam(name: string, s: z.ZodType): Record<string, unknown> {
  const schema = schemaOf(s)
  const optional = s.safeParse(undefined).success
  // Query values arrive as text: a number in the schema is written as digits.
  return { name, in: 'query', required: !optional, schema, ...(schema.type === 'array' ? { style: 'form', explode: true } : {}) }
}

import { z } from 'zod'
import { consentRegionsSchema } from '../privacy/consent-regions.ts'
import { e164 } from '../exports/user-hashes.ts'
import type { WireBatch, WireEvent } from '../../../sdk/src/wire.ts'

/** Caps on every string we accept; longer input is rejected, not silently cut. */
export const MAX = {
  site: 64, id: 64, name: 100, url: 2048, title: 300, lang: 35, visitor: 128, user: 128,
  propKey: 64, propValue: 500, props: 30, orderId: 128, userAgent: 512, ip: 64,
} as const
export const MAX_EVENTS_PER_BATCH = 100

export const siteId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _, at most 64')
const eventId = z.string().regex(/^[0-9a-fA-F-]{16,64}$/, 'a UUID (hex digits and dashes)')
const name = z.string().min(1).max(MAX.name)
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
const money = z.number().finite().gte(-1e12).lte(1e12)
// zod leaves a `__proto__` key out of a record's output (assigning it would replace the
// object's prototype), so it would vanish without a word: refuse it by name instead.
const noProtoKey = z.unknown().refine((v) => !(v !== null && typeof v === 'object' && Object.hasOwn(v, '__proto__')), {
  message: '__proto__ cannot be a property name', path: ['__proto__'],
})
export const props = noProtoKey.pipe(z.record(
  z.string().min(1).max(MAX.propKey),
  z.union([z.string().max(MAX.propValue), z.number().finite().gte(-1e15).lte(1e15), z.boolean()]),
).refine((p) => Object.keys(p).length <= MAX.props, `at most ${MAX.props} props`))
const epochMs = z.number().int().gte(0).lte(8.64e15)

/** One browser event; mirrors WireEvent, so a change to the wire type breaks this line at compile time. */
export const wireEventSchema = z.strictObject({
  i: eventId,
  y: z.enum(['p', 'e', 'c', 'x']),
  n: name,
  t: epochMs,
  u: z.string().max(MAX.url),
  r: z.string().max(MAX.url).optional(),
  h: z.string().max(MAX.title).optional(),
  w: z.number().int().gte(0).lte(100_000).optional(),
  l: z.string().max(MAX.lang).optional(),
  c: z.number().int().gte(0).lte(3),
  v: z.string().min(1).max(MAX.visitor).optional(),
  d: z.string().min(1).max(MAX.user).optional(),
  p: props.optional(),
  a: money.optional(),
  m: currency.optional(),
  o: z.string().min(1).max(MAX.orderId).optional(),
}) satisfies z.ZodType<WireEvent>

/** The batch envelope; events are validated one by one so one bad event cannot sink the rest. */
export const wireBatchSchema = z.strictObject({
  s: siteId,
  t: epochMs,
  b: z.literal(1).optional(),
  e: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH),
})
type _BatchMatches = z.infer<typeof wireBatchSchema> extends Omit<WireBatch, 'e'> ? true : never
export const _batchMatches: _BatchMatches = true

/** One server-side event of `POST /api/events`, exactly as DESIGN.md shows it. */
export const serverEventSchema = z.strictObject({
  id: eventId.optional(),
  type: z.enum(['pageview', 'event', 'conversion', 'exposure']),
  name,
  ts: z.iso.datetime({ offset: true }).optional(),
  visitorId: z.string().min(1).max(MAX.visitor).optional(),
  userId: z.string().min(1).max(MAX.user).optional(),
  url: z.string().max(MAX.url).optional(),
  referrer: z.string().max(MAX.url).optional(),
  title: z.string().max(MAX.title).optional(),
  value: money.optional(),
  currency: currency.optional(),
  orderId: z.string().min(1).max(MAX.orderId).optional(),
  props: props.optional(),
  consent: z.strictObject({ analytics: z.boolean().optional(), ads: z.boolean().optional() }).optional(),
  // Enhanced conversions: hashed on arrival, kept only with ads consent (exports/user-hashes.ts).
  user: z.strictObject({
    email: z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+$/, 'an email address').optional(),
    phone: z.string().max(40).refine((p) => e164(p) !== null, 'a phone number in E.164 with its country code, like +491701234567').optional(),
  }).optional(),
  userAgent: z.string().max(MAX.userAgent).optional(),
  ip: z.string().max(MAX.ip).optional(),
}).refine((e) => e.type !== 'exposure' || typeof e.props?.variant === 'string', {
  message: 'an exposure needs props.variant', path: ['props', 'variant'],
})

export const serverBatchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH),
})

const origins = z.array(z.string().min(1).max(200)).max(50)
const timezone = z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Berlin')

export const newSiteSchema = z.strictObject({
  id: siteId,
  origins: origins.default([]),
  currency: currency.default('EUR'),
  timezone: timezone.default('UTC'),
  consentRegions: consentRegionsSchema.optional(),
})

export const sitePatchSchema = z.strictObject({
  origins: origins.optional(),
  currency: currency.optional(),
  timezone: timezone.optional(),
  /** null removes the setting. */
  consentRegions: consentRegionsSchema.nullable().optional(),
})

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** Flattens zod issues into the `issues` of an error response. */
export function zodIssues(err: z.ZodError): { path: string; code: string; message: string }[] {
  return err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }))
}

/** One short reason code for a rejected event, for the quarantine table and /metrics. */
export function rejectReason(err: z.ZodError): string {
  const i = err.issues[0]
  if (!i) return 'invalid'
  if (i.code === 'unrecognized_keys') return 'unknown_field'
  if (i.code === 'too_big') return 'too_big'
  if (i.code === 'invalid_type' && i.path.length === 1 && i.input === undefined) return 'missing_field'
  return 'invalid_field'
}

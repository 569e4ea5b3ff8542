/**
 * Funnel steps: parsing `type:name[?k=v&k2=v2]` and testing an event against a step.
 * Pageview steps name a path glob instead of an event name: `*` matches within one path
 * segment, `**` across segments (as in Plausible), so `/blog/*` is one level of posts
 * and `/blog/**` everything below `/blog/`.
 */
import type { EventType, Props } from '../model.ts'
import type { FunnelStep } from './types.ts'

const TYPES: readonly EventType[] = ['pageview', 'event', 'conversion', 'exposure']

/**
 * Parses one step, or answers a message saying what is wrong with it.
 *
 * @example
 * parseStep('event:cta_click?plan=pro')
 * // { label: 'event:cta_click?plan=pro', type: 'event', name: 'cta_click', pathGlob: null, props: { plan: 'pro' } }
 */
export function parseStep(label: string): FunnelStep | string {
  const colon = label.indexOf(':')
  if (colon < 0) return `step "${label}" must be type:name`
  const type = label.slice(0, colon) as EventType
  if (!TYPES.includes(type)) return `step "${label}": type must be one of ${TYPES.join(', ')}`
  const rest = label.slice(colon + 1)
  const q = rest.indexOf('?')
  const target = q < 0 ? rest : rest.slice(0, q)
  if (!target) return `step "${label}" names no ${type === 'pageview' ? 'path' : 'event'}`
  const props: Record<string, string> = {}
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=')
      if (eq <= 0) return `step "${label}": property filter "${pair}" must be key=value`
      props[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
  }
  if (type === 'pageview') {
    if (!target.startsWith('/') && !target.startsWith('*')) return `step "${label}": a pageview step names a path starting with /`
    return { label, type, name: null, pathGlob: target, props }
  }
  return { label, type, name: target, pathGlob: null, props }
}

const globCache = new Map<string, RegExp>()

/**
 * Whether a URL path matches a glob: `*` within one segment, `**` across segments.
 *
 * @example
 * matchPath('/blog/*', '/blog/hello')   // true
 * matchPath('/blog/*', '/blog/a/b')     // false
 * matchPath('/blog/**', '/blog/a/b')    // true
 */
export function matchPath(glob: string, path: string): boolean {
  return matchPathRegExp(globRegExp(glob)).test(path)
}

/** The compiled, cached regular expression of a `globRegExp` source. */
export function matchPathRegExp(source: string): RegExp {
  let re = globCache.get(source)
  if (!re) {
    re = new RegExp(source)
    if (globCache.size > 1000) globCache.clear()
    globCache.set(source, re)
  }
  return re
}

/**
 * A path glob as an anchored regular expression source, in the syntax JavaScript and
 * PostgreSQL (`~`) share.
 *
 * @example
 * globRegExp('/blog/*') // '^/blog/[^/]*$'
 */
export function globRegExp(glob: string): string {
  const src = glob
    .split('**')
    .map((part) => part.split('*').map(escapeRegExp).join('[^/]*'))
    .join('.*')
  return `^${src}$`
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
}

/** A glob as an SQLite GLOB pattern that matches a superset of the same paths (the exact test runs in JS). */
export function sqlGlob(glob: string): string {
  return glob.replace(/[[?]/g, (c) => `[${c}]`).replace(/\*+/g, '*')
}

/** The fields of an event a step looks at. */
export interface StepEvent {
  type: EventType
  name: string
  path: string | null
  props: Props | null
}

/**
 * Whether an event fills a step: same type, same name (or path glob for pageviews), and
 * every property equality holds when the event's prop is compared as a string.
 */
export function matchesStep(step: FunnelStep, ev: StepEvent): boolean {
  if (ev.type !== step.type) return false
  if (step.pathGlob !== null) {
    if (ev.path === null || !matchPath(step.pathGlob, ev.path)) return false
  } else if (ev.name !== step.name) return false
  for (const key in step.props) {
    const v = ev.props?.[key]
    if (v === undefined || String(v) !== step.props[key]) return false
  }
  return true
}

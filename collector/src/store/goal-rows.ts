import type { Goal } from './goal-types.ts'

/** A goal's stored definition: everything but its name. */
export function goalDefinition(g: Goal): string {
  return JSON.stringify({ path: g.path, event: g.event, props: g.props, value: g.value, currency: g.currency })
}

/**
 * A goal from its name and stored definition (a JSON string, or an object from jsonb).
 *
 * @example
 * goalOf('signup', '{"path":"/thanks*"}') // { name: 'signup', path: '/thanks*', event: null, props: {}, value: null, currency: null }
 */
export function goalOf(name: string, definition: unknown): Goal {
  const d = (typeof definition === 'string' ? JSON.parse(definition) : definition) as Partial<Omit<Goal, 'name'>>
  return { name, path: d.path ?? null, event: d.event ?? null, props: d.props ?? {}, value: d.value ?? null, currency: d.currency ?? null }
}

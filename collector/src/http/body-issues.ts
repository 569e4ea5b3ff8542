/**
 * Validation of a JSON body against a zod schema, with one issue per bad field named by
 * its path (an unknown key by its name), plus any issues the caller found in the URL.
 */
import type { z } from 'zod'
import type { ErrorIssue } from './errors.ts'

export type Invalid = { message: string; issues: ErrorIssue[] }

/**
 * @example
 * validBody(z.object({ path: z.string() }).strict(), { colour: 1 }, [])
 * // { message: 'path: Invalid input…; colour: Unrecognized key…', issues: [{ path: 'path', … }, { path: 'colour', … }] }
 */
export function validBody<T extends z.ZodType>(schema: T, input: unknown, urlIssues: ErrorIssue[]): z.infer<T> | Invalid {
  const issues = [...urlIssues]
  const r = schema.safeParse(input)
  if (!r.success) {
    for (const e of r.error.issues) {
      const field = e.path.join('.') || ((e as { keys?: string[] }).keys ?? []).join(', ')
      issues.push({ path: field, code: e.code, message: `${field || 'body'}: ${e.message}` })
    }
  }
  if (issues.length || !r.success) return { message: issues.map((i) => i.message).join('; '), issues }
  return r.data
}

/** Whether a validation answered issues. */
export const isInvalid = (x: unknown): x is Invalid => typeof x === 'object' && x !== null && 'issues' in x && 'message' in x

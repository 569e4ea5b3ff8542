import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Context } from 'hono'
import { QueryError } from '../reports/query-error.ts'

export interface ErrorIssue {
  path?: string
  index?: number
  /** The line of an uploaded file the issue is on (1-based). */
  line?: number
  code?: string
  message: string
}

/**
 * An expected failure with the one JSON error shape every route answers:
 * `{ "error": { "code", "message", "issues"? } }`.
 *
 * @example
 * throw apiError(403, 'origin_not_allowed', 'Origin https://evil.example is not allowed for site shop')
 */
export function apiError(status: ContentfulStatusCode, code: string, message: string, issues?: ErrorIssue[], headers?: Record<string, string>): HTTPException {
  const body = JSON.stringify({ error: issues ? { code, message, issues } : { code, message } })
  const res = new Response(body, { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } })
  // The code rides along as the cause, so middleware (the refusal counter) can read it
  // without parsing the body.
  return new HTTPException(status, { res, message, cause: code })
}

/** Answers HTTPExceptions with their response and anything else with a generic 500, logged but never leaked. */
export function errorHandler(log: (msg: string, err: unknown) => void) {
  return function onError(err: Error, c: Context): Response {
    if (err instanceof HTTPException) {
      const res = err.getResponse()
      if (res.headers.get('content-type')?.includes('application/json')) return res
      return c.json({ error: { code: codeForStatus(err.status), message: err.message || 'Request failed' } }, err.status)
    }
    if (err instanceof QueryError) {
      return c.json({ error: err.issues.length ? { code: err.code, message: err.message, issues: err.issues } : { code: err.code, message: err.message } }, 400)
    }
    log('unhandled error', err)
    return c.json({ error: { code: 'internal', message: 'Internal server error' } }, 500)
  }
}

function codeForStatus(status: number): string {
  if (status === 413) return 'payload_too_large'
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  return 'bad_request'
}

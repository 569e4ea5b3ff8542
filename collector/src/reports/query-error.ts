/**
 * A report question that cannot be answered as asked (bad dates, steps, weights). Report
 * code throws it without knowing about HTTP; the edge answers it with a 400, and it
 * crosses from a report worker to the main thread as plain data.
 */
export interface QueryIssue {
  path?: string
  message: string
}

export class QueryError extends Error {
  readonly code = 'invalid_query'
  constructor(message: string, readonly issues: QueryIssue[] = []) {
    super(message)
    this.name = 'QueryError'
  }
}

/**
 * @example
 * throw queryError('`from` must not be after `to`', [{ path: 'from', message: 'after to' }])
 */
export function queryError(message: string, issues: QueryIssue[] = []): QueryError {
  return new QueryError(message, issues)
}

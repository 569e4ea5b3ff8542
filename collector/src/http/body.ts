import type { Context } from 'hono'
import { apiError } from './errors.ts'

export const MAX_BODY_BYTES = 64 * 1024

/**
 * Reads a request body of at most `max` bytes as strict UTF-8 text. The size is checked
 * while streaming, so a lying or missing Content-Length cannot make us buffer more.
 *
 * @example
 * const csv = await readTextBody(c, 1024 * 1024)
 */
export async function readTextBody(c: Context, max = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? NaN)
  if (declared > max) throw tooLarge(max)
  const body = c.req.raw.body
  if (!body) throw apiError(400, 'empty_body', 'The request body is empty')
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      throw tooLarge(max)
    }
    chunks.push(value)
  }
  if (size === 0) throw apiError(400, 'empty_body', 'The request body is empty')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw apiError(400, 'invalid_utf8', 'The request body is not valid UTF-8')
  }
}

/** Reads a request body as {@link readTextBody} does and parses it as JSON (400 when it is not). */
export async function readJsonBody(c: Context, max = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readTextBody(c, max)
  try {
    return JSON.parse(text)
  } catch (err) {
    throw apiError(400, 'invalid_json', `The request body is not valid JSON: ${(err as Error).message.slice(0, 120)}`)
  }
}

function tooLarge(max: number) {
  return apiError(413, 'payload_too_large', `The request body is larger than ${max} bytes`)
}

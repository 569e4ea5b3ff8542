/**
 * Monthly budgets: their validation, and which spend and credited conversions fall in a
 * budget's scope. A scope is a channel, or a source with an optional medium and campaign
 * (absent: any). The same month and scope replace each other.
 */
import { z } from 'zod'
import type { ErrorIssue } from '../http/errors.ts'
import { CHANNEL_RULES, channelOf, type Channel } from '../ingest/channel.ts'
import type { Budget, BudgetScope } from '../store/report-types.ts'

export type { Budget, BudgetScope }

export const MAX_BUDGET_ROWS = 1000
/** GA4's default channel group: the rules table's channels, and Other. */
export const CHANNELS: [Channel, ...Channel[]] = ['Other', ...CHANNEL_RULES.map(([c]) => c)]

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/
const text = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters')
const money = z.number().finite().positive('must be more than 0').max(1e12)

/** One budget as validated; rows without a currency get `defaultCurrency`. */
export function budgetSchema(defaultCurrency: string) {
  return z.object({
    month: z.string().regex(MONTH, 'must be YYYY-MM'),
    channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }).optional(),
    // Lower-cased like spend imports and the collector's utm values, so they meet.
    source: text.transform((s) => s.toLowerCase()).optional(),
    medium: text.transform((s) => s.toLowerCase()).optional(),
    campaign: text.optional(),
    amount: money,
    currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR').optional(),
    targetCpa: money.nullable().optional(),
    targetRoas: money.nullable().optional(),
  }).strict()
    .refine((b) => (b.channel === undefined) !== (b.source === undefined), { message: 'name either a channel or a source (with medium and campaign optional)', path: ['channel'] })
    .refine((b) => b.channel === undefined || (b.medium === undefined && b.campaign === undefined), { message: 'a channel budget takes no medium or campaign', path: ['medium'] })
}

export type BudgetParse = { budgets: Budget[] } | { message: string; issues: ErrorIssue[] }

/**
 * Validates a PUT body: a JSON array of budgets. Errors name the row (1 = first) and field.
 *
 * @example
 * parseBudgets([{ month: '2026-12', channel: 'Paid Search', amount: 3000, targetCpa: 40 }], 'EUR')
 * // { budgets: [{ month: '2026-12', channel: 'Paid Search', source: null, medium: null, campaign: null, amount: 3000, currency: 'EUR', targetCpa: 40, targetRoas: null }] }
 */
export function parseBudgets(body: unknown, defaultCurrency: string): BudgetParse {
  if (!Array.isArray(body)) return { message: 'Budgets must be a JSON array', issues: [] }
  if (body.length === 0) return { message: 'No budgets', issues: [] }
  if (body.length > MAX_BUDGET_ROWS) return { message: `At most ${MAX_BUDGET_ROWS} budgets per request`, issues: [] }
  const schema = budgetSchema(defaultCurrency)
  const budgets: Budget[] = []
  const issues: ErrorIssue[] = []
  body.forEach((o, i) => {
    const r = schema.safeParse(o)
    if (!r.success) {
      for (const e of r.error.issues) {
        const field = e.path.join('.') || (e.code === 'unrecognized_keys' ? (e as { keys?: string[] }).keys?.join(', ') ?? '' : '')
        issues.push({ index: i, path: field, code: e.code, message: `row ${i + 1}${field ? `, field ${field}` : ''}: ${e.message}` })
      }
      return
    }
    const b = r.data
    budgets.push({
      month: b.month, channel: b.channel ?? null, source: b.source ?? null, medium: b.medium ?? null, campaign: b.campaign ?? null,
      amount: b.amount, currency: b.currency ?? defaultCurrency, targetCpa: b.targetCpa ?? null, targetRoas: b.targetRoas ?? null,
    })
  })
  if (issues.length) return { message: issues.slice(0, 5).map((x) => x.message).join('; '), issues: issues.slice(0, 100) }
  return { budgets }
}

/** Whether a spend row's (source, medium, campaign) lies in the scope; channels by the ingest's own rules. */
export function spendInScope(scope: BudgetScope, s: { source: string; medium: string; campaign: string }): boolean {
  if (scope.channel !== null) return channelOf({ source: s.source, medium: s.medium, campaign: s.campaign, referrerHost: null }) === scope.channel
  return s.source === scope.source && (scope.medium === null || s.medium === scope.medium) &&
    (scope.campaign === null || s.campaign === scope.campaign)
}

/** Whether a credited (source, medium, campaign) value triple lies in a source scope. */
export function tripleInScope(scope: BudgetScope, [source, medium, campaign]: readonly [string, string, string]): boolean {
  return spendInScope(scope, { source, medium, campaign })
}

/** The scope's fields as the API shows them: a channel, or source, medium and campaign. */
export function scopeFields(s: BudgetScope): Record<string, string | null> {
  return s.channel !== null ? { channel: s.channel } : { source: s.source, medium: s.medium, campaign: s.campaign }
}

/** A one-line name for a scope: `Paid Search`, `google / cpc / brand`, `google / * / *`. */
export function scopeLabel(s: BudgetScope): string {
  return s.channel ?? [s.source, s.medium ?? '*', s.campaign ?? '*'].join(' / ')
}

import type { Budget, BudgetScope } from './report-types.ts'

/**
 * Budgets as both stores keep them: an absent scope field is '' in its column (so the
 * primary key makes one month and scope one row), null in the API.
 *
 * @example
 * budgetRow(await db.get('SELECT … FROM budgets …')) // { month: '2026-12', channel: 'Email', source: null, … }
 */
export function budgetRow(r: Record<string, unknown>): Budget {
  const opt = (v: unknown) => (v === '' || v === null || v === undefined ? null : String(v))
  return {
    month: String(r.month), channel: opt(r.channel), source: opt(r.source), medium: opt(r.medium), campaign: opt(r.campaign),
    amount: Number(r.amount), currency: String(r.currency),
    targetCpa: r.target_cpa === null ? null : Number(r.target_cpa), targetRoas: r.target_roas === null ? null : Number(r.target_roas),
  }
}

/** The scope's key columns, '' for absent fields, in primary-key order. */
export function scopeColumns(s: BudgetScope): [string, string, string, string] {
  return [s.channel ?? '', s.source ?? '', s.medium ?? '', s.campaign ?? '']
}

export const BUDGET_COLUMNS = 'month, channel, source, medium, campaign, amount, currency, target_cpa, target_roas'

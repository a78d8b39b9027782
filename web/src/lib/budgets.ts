// Prices and budgets: reading the admin's fields, and showing amounts (tokens with thousands
// separators, costs in the server's currency) in the interface language.
import type { TFunction } from 'i18next';
import type { AdminAgent, BudgetStatus } from '../api';
import { formatNumber } from './format';

/** The most a price or a budget may be (the server refuses more): a guard against typos. */
export const AMOUNT_MAX = 1e9;

/** A tokens-per-day field: null when empty (no limit), undefined when not a whole number ≥ 1. */
export function parseTokens(text: string): number | null | undefined {
  const value = text.trim();
  if (!value) return null;
  if (!/^\d+$/.test(value)) return undefined;
  const tokens = Number(value);
  return tokens >= 1 && Number.isSafeInteger(tokens) ? tokens : undefined;
}

/** An amount of money: null when empty, undefined when not a number from 0 to AMOUNT_MAX. */
export function parseAmount(text: string): number | null | undefined {
  const value = text.trim().replace(',', '.');
  if (!value) return null;
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(value)) return undefined;
  const amount = Number(value);
  return Number.isFinite(amount) && amount >= 0 && amount <= AMOUNT_MAX ? amount : undefined;
}

/** The text a field shows for a stored limit (empty for none). */
export const limitText = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));

/**
 * "$12.50", "¥3.00", "12.50 XYZ" for a currency Intl does not know: at least the currency's
 * usual decimals, up to 4 (prices per token can be small).
 */
export function formatMoney(value: number, currency: string, lang: string): string {
  try {
    return new Intl.NumberFormat(lang, { style: 'currency', currency, maximumFractionDigits: 4 }).format(value);
  } catch {
    const number = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(value);
    return `${number} ${currency}`;
  }
}

/** Tokens, whole, with the language's thousands separators. */
export function formatTokens(value: number, lang: string): string {
  return formatNumber(Math.round(value), lang);
}

/** "Group “x”", "Your own budget" or "Everyone’s daily quota". */
export function budgetName(t: TFunction, budget: Pick<BudgetStatus, 'scope' | 'name'>): string {
  if (budget.scope === 'server') return t('usage.budgets.server');
  return budget.scope === 'group' ? t('usage.budgets.group', { name: budget.name }) : t('usage.budgets.user');
}

/** An amount of a budget: "1,200 tokens" or "$5.00". */
export function budgetAmount(t: TFunction, budget: Pick<BudgetStatus, 'kind' | 'currency'>, value: number, lang: string): string {
  return budget.kind === 'cost_per_month'
    ? formatMoney(value, budget.currency ?? '', lang)
    : t('usage.budgets.tokens', { count: Math.round(value), value: formatTokens(value, lang) });
}

/**
 * The share of a budget used, as a whole percent from 0 to 100, rounded down: 100 only when
 * it is used up (a limit of 0 is).
 */
export function usedPercent(used: number, limit: number): number {
  if (limit <= 0 || used >= limit) return 100;
  return Math.max(0, Math.floor((used / limit) * 100));
}

/** The models the agents name (OpenAI-compatible and Anthropic agents), with those agents. */
export function agentModels(agents: AdminAgent[]): Map<string, string[]> {
  const models = new Map<string, string[]>();
  for (const agent of agents) {
    const provider = agent.definition.provider as { model?: string | null };
    const model = provider.model?.trim();
    if (!model) continue;
    models.set(model, [...(models.get(model) ?? []), agent.name]);
  }
  return models;
}

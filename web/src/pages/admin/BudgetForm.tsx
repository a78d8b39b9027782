// A user's or a group's budget: tokens per day and cost per month, each empty for no limit.
// Saving both empty removes the budget (the server answers 204), as "Remove" does.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type Budget } from '../../api';
import { InputField } from '../../components/FormField';
import { describeError, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { limitText, parseAmount, parseTokens } from '../../lib/budgets';

type Field = 'tokens_per_day' | 'cost_per_month';

export function BudgetForm({ scope, id, currency, budget, onChange, autoFocus }: {
  scope: 'user' | 'group';
  id: string;
  currency: string;
  /** The budget in force, null for none. */
  budget: Budget | null;
  /** After a save or a removal: the budget as the server has it now (null: none). */
  onChange: (budget: Budget | null) => void;
  autoFocus?: boolean;
}) {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [tokens, setTokens] = useState(limitText(budget?.tokens_per_day));
  const [cost, setCost] = useState(limitText(budget?.cost_per_month));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** Runs a change; shows the server's refusal on its field, or under the form. */
  async function run(change: () => Promise<Budget | null>) {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const stored = await change();
      setTokens(limitText(stored?.tokens_per_day));
      setCost(limitText(stored?.cost_per_month));
      setErrors({});
      setStatus(stored ? t('budgets.saved') : t('budgets.removed'));
      onChange(stored);
    } catch (e) {
      const found = fieldError(e, ['tokens_per_day', 'cost_per_month'] as const);
      if (found) setErrors({ [found.field]: found.message });
      else setError(describeError(tc, e));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const tokensPerDay = parseTokens(tokens);
    const costPerMonth = parseAmount(cost);
    const invalid: Partial<Record<Field, string>> = {};
    if (tokensPerDay === undefined) invalid.tokens_per_day = t('budgets.errors.tokens');
    if (costPerMonth === undefined) invalid.cost_per_month = t('budgets.errors.cost');
    setErrors(invalid);
    if (tokensPerDay === undefined || costPerMonth === undefined) return;
    void run(() => adminApi.putBudget(scope, id, { tokens_per_day: tokensPerDay, cost_per_month: costPerMonth }));
  }

  const field = (name: Field, label: string, hint: string, value: string, set: (v: string) => void, testId: string, integer: boolean) => (
    <InputField
      label={label}
      // Text, not a number input: a browser empties a number input it cannot read, which
      // would read as "no limit".
      type="text"
      inputMode={integer ? 'numeric' : 'decimal'}
      value={value}
      onChange={(e) => set(e.target.value)}
      placeholder={t('budgets.noLimit')}
      autoComplete="off"
      autoFocus={autoFocus && name === 'tokens_per_day'}
      hint={hint}
      error={errors[name]}
      testId={testId}
    />
  );

  return (
    <form className="form budget-form" onSubmit={submit} noValidate data-testid="budget-form" data-budget={budget ? 'set' : 'none'}>
      <div className="field-row">
        {field('tokens_per_day', t('budgets.tokens'), t('budgets.tokensHint'), tokens, setTokens, 'budget-tokens', true)}
        {field('cost_per_month', t('budgets.cost', { currency }), t('budgets.costHint'), cost, setCost, 'budget-cost', false)}
      </div>
      <p className="hint" data-testid="budget-state">
        {budget ? t('budgets.updated', { date: formatDateTime(budget.updated_at, i18n.language) }) : t('budgets.none')}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy} data-testid="budget-save">
          {busy ? t('budgets.saving') : t('budgets.save')}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy || !budget}
          onClick={() => void run(() => adminApi.deleteBudget(scope, id).then(() => null))}
          data-testid="budget-remove"
        >
          {t('budgets.remove')}
        </button>
        {status && (
          <span className="hint" role="status" data-testid="budget-status">
            {status}
          </span>
        )}
      </div>
    </form>
  );
}

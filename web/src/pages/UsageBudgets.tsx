// "Your budgets" on the usage page: every limit that applies to the user (the server's daily
// quota, their own budget, their groups' budgets), with what is used, what is left and when it
// renews. Nothing at all when no budget applies.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isAbort, usageApi, type BudgetStatus } from '../api';
import { budgetAmount, budgetName, usedPercent } from '../lib/budgets';
import { describeError } from '../lib/errors';
import { formatDateTime } from '../lib/format';

export function MyBudgets() {
  const { t } = useTranslation();
  const [items, setItems] = useState<BudgetStatus[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    usageApi.myBudgets(controller.signal).then(
      (budgets) => setItems(budgets.items),
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setError(e),
    );
    return () => controller.abort();
  }, []);

  if (error) {
    return (
      <p className="banner error usage-summary" role="alert">
        {t('usage.budgets.loadFailed', { message: describeError(t, error) })}
      </p>
    );
  }
  if (!items || items.length === 0) return null;
  return (
    <section className="card usage-budgets" aria-labelledby="my-budgets-title" data-testid="my-budgets">
      <h2 id="my-budgets-title">{t('usage.budgets.title')}</h2>
      <p className="hint">{t('usage.budgets.intro')}</p>
      <ul className="budget-list">
        {items.map((item) => (
          <BudgetItem key={`${item.scope}:${item.name}:${item.kind}`} item={item} />
        ))}
      </ul>
    </section>
  );
}

function BudgetItem({ item }: { item: BudgetStatus }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const amount = (value: number) => budgetAmount(t, item, value, lang);
  const name = budgetName(t, item);
  const hint =
    item.scope === 'server'
      ? t('usage.budgets.serverHint')
      : item.scope === 'group'
        ? t('usage.budgets.groupHint', { name: item.name })
        : t('usage.budgets.userHint');
  const kind = t(`usage.budgets.kinds.${item.kind}`);
  const percent = usedPercent(item.used, item.limit);
  const usedUp = item.remaining <= 0;
  const used = amount(item.used);
  const limit = amount(item.limit);

  return (
    <li className={`budget-item${usedUp ? ' used-up' : ''}`} data-testid="my-budget" data-scope={item.scope} data-kind={item.kind} data-name={item.name}>
      <div className="budget-head">
        <h3>
          {name} · <span className="budget-kind">{kind}</span>
        </h3>
        {usedUp && (
          <span className="budget-badge" data-testid="my-budget-used-up">
            {t('usage.budgets.usedUp')}
          </span>
        )}
      </div>
      <p className="hint">{hint}</p>
      <div
        className={`meter${percent >= 90 ? ' high' : ''}`}
        role="progressbar"
        aria-label={t('usage.budgets.meter', { name, kind })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={t('usage.budgets.meterText', { used, limit, percent })}
        data-testid="my-budget-meter"
      >
        <div className="meter-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="budget-figures">
        <span data-testid="my-budget-used">{t('usage.budgets.used', { used, limit })}</span>
        <span data-testid="my-budget-remaining">{t('usage.budgets.remaining', { remaining: amount(item.remaining) })}</span>
        <span className="hint" data-testid="my-budget-resets">
          {t('usage.budgets.resets', { date: formatDateTime(item.resets_at, lang) })}
        </span>
      </p>
    </li>
  );
}

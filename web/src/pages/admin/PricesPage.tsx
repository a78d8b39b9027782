// Prices: what each model costs per million tokens, in the server's currency (budgets.currency).
// Requests are charged at their agent's model's price; cost budgets count these charges.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type AdminAgent, type Price } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { InputField } from '../../components/FormField';
import { TableHead } from '../../components/TableHead';
import { agentModels, formatMoney, limitText, parseAmount } from '../../lib/budgets';
import { describeError, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { LoadError, Loading, NoticeBanner, PageTitle, type Notice } from './shared';
import { useLoad } from './useLoad';

type Field = 'model' | 'input_per_million' | 'output_per_million';

const byModel = (a: Price, b: Price) => a.model.localeCompare(b.model);

export default function PricesPage() {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const prices = useLoad((signal) => adminApi.listPrices(signal), 'prices');
  // For suggestions in the model field and "used by"; nothing when it fails.
  const agents = useLoad(() => adminApi.listAgents().catch(() => [] as AdminAgent[]), 'agents');
  // The list as changed here since it loaded.
  const [changed, setChanged] = useState<Price[] | null>(null);
  const [editing, setEditing] = useState<Price | null>(null);
  const [deleting, setDeleting] = useState<Price | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const items = changed ?? prices.data?.items ?? null;
  const currency = prices.data?.currency ?? '';
  const models = agentModels(agents.data ?? []);
  const lang = i18n.language;

  function saved(price: Price) {
    setChanged([...(items ?? []).filter((p) => p.model !== price.model), price].sort(byModel));
    setEditing(null);
    setNotice({ ok: true, text: t('prices.saved', { model: price.model }) });
  }

  async function remove(price: Price) {
    setDeleting(null);
    try {
      await adminApi.deletePrice(price.model);
      setChanged((items ?? []).filter((p) => p.model !== price.model));
      if (editing?.model === price.model) setEditing(null);
      setNotice({ ok: true, text: t('prices.deleted', { model: price.model }) });
    } catch (e) {
      setNotice({ ok: false, text: describeError(tc, e) });
    }
  }

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-prices">
      <PageTitle title={t('prices.title')}>
        <p className="hint">{t('prices.intro')}</p>
      </PageTitle>
      {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
      {prices.error ? <LoadError error={prices.error} onRetry={prices.reload} /> : null}
      {!prices.data && !prices.error && <Loading />}
      {prices.data && items && (
        <>
          <dl className="prices-currency">
            <dt>{t('prices.currency')}</dt>
            <dd>
              <strong data-testid="prices-currency">{currency}</strong> <span className="hint">{t('prices.currencyHint')}</span>
            </dd>
          </dl>
          <div className="table-wrap">
            <table className="table stacked" data-testid="prices-table">
              <TableHead
                columns={[t('prices.model'), { label: t('prices.inputShort'), num: true }, { label: t('prices.outputShort'), num: true }, t('prices.updated')]}
                actions={t('agents.actions')}
              />
              <tbody>
                {items.length === 0 && (
                  <tr>
                    <td colSpan={5} data-testid="prices-none">
                      {t('prices.none')}
                    </td>
                  </tr>
                )}
                {items.map((price) => (
                  <tr key={price.model} data-testid="price-row" data-model={price.model}>
                    <th scope="row">
                      <code>{price.model}</code>
                      {models.has(price.model) && (
                        <span className="hint price-agents"> · {t('prices.usedBy', { agents: models.get(price.model)!.join(', ') })}</span>
                      )}
                    </th>
                    <td className="num" data-label={t('prices.inputShort')} data-testid="price-input">
                      {formatMoney(price.input_per_million, currency, lang)}
                    </td>
                    <td className="num" data-label={t('prices.outputShort')} data-testid="price-output">
                      {formatMoney(price.output_per_million, currency, lang)}
                    </td>
                    <td data-label={t('prices.updated')}>{formatDateTime(price.updated_at, lang)}</td>
                    <td>
                      <div className="row-actions">
                        <button
                          type="button"
                          className="button small"
                          onClick={() => setEditing(price)}
                          aria-label={t('prices.editNamed', { model: price.model })}
                          data-testid="price-edit"
                        >
                          {t('prices.edit')}
                        </button>
                        <button
                          type="button"
                          className="button small danger"
                          onClick={() => setDeleting(price)}
                          aria-label={t('prices.deleteNamed', { model: price.model })}
                          data-testid="price-delete"
                        >
                          {t('prices.delete')}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <PriceForm
            key={editing?.model ?? ''}
            editing={editing}
            currency={currency}
            suggestions={[...models.keys()].sort()}
            onSaved={saved}
            onCancel={() => setEditing(null)}
          />
        </>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('prices.deleteTitle', { model: deleting.model })}
          body={t('prices.deleteBody')}
          confirmLabel={t('prices.delete')}
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove(deleting)}
        />
      )}
    </section>
  );
}

/** Adds a price, or changes one (`editing`: its model stays). */
function PriceForm({ editing, currency, suggestions, onSaved, onCancel }: {
  editing: Price | null;
  currency: string;
  suggestions: string[];
  onSaved: (price: Price) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [model, setModel] = useState(editing?.model ?? '');
  const [input, setInput] = useState(limitText(editing?.input_per_million));
  const [output, setOutput] = useState(limitText(editing?.output_per_million));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { list: useId(), title: useId() };
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) first.current?.focus();
  }, [editing]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const inputPrice = parseAmount(input);
    const outputPrice = parseAmount(output);
    const invalid: Partial<Record<Field, string>> = {};
    if (!model.trim()) invalid.model = t('prices.errors.model');
    if (inputPrice === undefined || inputPrice === null) invalid.input_per_million = t('prices.errors.amount');
    if (outputPrice === undefined || outputPrice === null) invalid.output_per_million = t('prices.errors.amount');
    setErrors(invalid);
    setError(null);
    if (Object.keys(invalid).length > 0 || inputPrice == null || outputPrice == null) return;
    setBusy(true);
    try {
      const price = await adminApi.putPrice({ model: model.trim(), input_per_million: inputPrice, output_per_million: outputPrice });
      if (!editing) {
        setModel('');
        setInput('');
        setOutput('');
      }
      onSaved(price);
    } catch (e) {
      const found = fieldError(e, ['model', 'input_per_million', 'output_per_million'] as const);
      if (found) setErrors({ [found.field]: found.message });
      else setError(describeError(tc, e));
    } finally {
      setBusy(false);
    }
  }

  const field = (name: Field, label: string, value: string, set: (v: string) => void, testId: string, extra: { hint?: string; list?: string; readOnly?: boolean; numeric?: boolean }) => (
    <InputField
      ref={name === (editing ? 'input_per_million' : 'model') ? first : undefined}
      label={label}
      type="text"
      inputMode={extra.numeric ? 'decimal' : undefined}
      value={value}
      onChange={(e) => set(e.target.value)}
      readOnly={extra.readOnly}
      list={extra.list}
      maxLength={name === 'model' ? 200 : undefined}
      autoComplete="off"
      hint={extra.hint}
      error={errors[name]}
      testId={testId}
    />
  );

  return (
    <form className="card form price-form" onSubmit={submit} noValidate aria-labelledby={ids.title} data-testid="price-form" data-editing={editing?.model}>
      <h3 id={ids.title}>{editing ? t('prices.editTitle', { model: editing.model }) : t('prices.add')}</h3>
      {field('model', t('prices.model'), model, setModel, 'price-model', {
        hint: editing ? t('prices.modelFixed') : t('prices.modelHint'),
        list: editing ? undefined : ids.list,
        readOnly: editing !== null,
      })}
      <datalist id={ids.list}>
        {suggestions.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <div className="field-row">
        {field('input_per_million', t('prices.input', { currency }), input, setInput, 'price-input-field', { numeric: true })}
        {field('output_per_million', t('prices.output', { currency }), output, setOutput, 'price-output-field', { numeric: true })}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        {editing && (
          <button type="button" className="button ghost" onClick={onCancel} data-testid="price-cancel">
            {t('prices.cancel')}
          </button>
        )}
        <button type="submit" className="button primary" disabled={busy} data-testid="price-save">
          {busy ? t('prices.saving') : t('prices.save')}
        </button>
      </div>
    </form>
  );
}

// The model of an OpenAI-compatible or Anthropic agent: free text, plus "List models", which
// asks the provider (through the server) and offers its models in a list filtered by what is
// typed.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, ApiError, type ProviderModels } from '../../api';
import { filterModels, modelsRequest, type AgentForm, type FormOrigin } from '../../lib/agentForm';
import { describeError } from '../../lib/errors';

type Listing = { state: 'idle' } | { state: 'loading' } | { state: 'failed'; message: string } | { state: 'done'; models: ProviderModels };

export function ModelField({ form, origin, onChange, ...control }: {
  form: AgentForm;
  origin: FormOrigin;
  onChange: (model: string) => void;
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const [listing, setListing] = useState<Listing>({ state: 'idle' });
  const [open, setOpen] = useState(false);
  const listId = useId();

  async function list() {
    setListing({ state: 'loading' });
    try {
      const { provider, agentId } = modelsRequest(form, origin);
      const models = await adminApi.listProviderModels(provider, agentId);
      setListing({ state: 'done', models });
      setOpen(true);
    } catch (error) {
      // The server words upstream failures (naming the URL) and unsupported providers itself:
      // show those as they are.
      const own = error instanceof ApiError && (error.status === 502 || error.status === 504 || error.status === 422);
      setListing({ state: 'failed', message: own ? error.message : describeError(tc, error) });
    }
  }

  const models = listing.state === 'done' ? listing.models.items : [];
  const shown = open ? filterModels(models, form.model === '' || models.some((m) => m.id === form.model) ? '' : form.model) : [];
  return (
    <div className="model-field">
      <div className="input-with-action">
        <input
          {...control}
          value={form.model}
          onChange={(e) => {
            onChange(e.target.value);
            if (models.length > 0) setOpen(true);
          }}
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
          required
          spellCheck={false}
          autoComplete="off"
          role={models.length > 0 ? 'combobox' : undefined}
          aria-expanded={models.length > 0 ? open : undefined}
          aria-controls={models.length > 0 ? listId : undefined}
          data-testid="agent-model"
        />
        <button type="button" className="button" onClick={() => void list()} disabled={listing.state === 'loading'} data-testid="list-models">
          {listing.state === 'loading' ? t('form.listingModels') : t('form.listModels')}
        </button>
      </div>
      {listing.state === 'failed' && (
        <span className="form-error" role="alert" data-testid="models-error">
          {listing.message}
        </span>
      )}
      {listing.state === 'done' && (
        <span className="hint" role="status" data-testid="models-found">
          {t('form.modelsFound', { count: models.length, url: listing.models.url })}
        </span>
      )}
      {open && shown.length > 0 && (
        <ul className="model-list" id={listId} role="listbox" aria-label={t('form.model')} data-testid="model-list">
          {shown.map((m) => (
            <li key={m.id} role="option" aria-selected={m.id === form.model}>
              <button
                type="button"
                onClick={() => {
                  onChange(m.id);
                  setOpen(false);
                }}
                data-testid="model-option"
                data-model={m.id}
              >
                <code>{m.id}</code>
                {m.name && m.name !== m.id && <span className="hint"> {m.name}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

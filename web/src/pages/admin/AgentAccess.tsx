// Who may use an agent: everyone, or only the members of some groups (admins always may).
// Saved on its own (PUT /api/admin/agents/{id}/groups), apart from the agent's definition.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { adminApi, type AdminAgent, type AgentAccess, type Group } from '../../api';
import { describeError } from '../../lib/errors';

export function AccessDialog({ agent, groups, onClose, onSaved }: {
  agent: AdminAgent;
  /** Every group. */
  groups: Group[];
  onClose: () => void;
  onSaved: (access: AgentAccess) => void;
}) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  // Each group names the agents restricted to it.
  const current = groups.filter((g) => g.agents.includes(agent.id)).map((g) => g.id);
  const [restricted, setRestricted] = useState(current.length > 0);
  const [chosen, setChosen] = useState<string[]>(current);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const titleId = useId();
  const choiceId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open && typeof element.showModal === 'function') element.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (restricted && chosen.length === 0) {
      setError(t('access.pickOne'));
      return;
    }
    setError(null);
    setSaving(true);
    try {
      onSaved(await adminApi.setAgentGroups(agent.id, restricted ? chosen : []));
    } catch (e) {
      setError(describeError(tc, e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), onClose())} data-testid="access-dialog">
      <form className="form" onSubmit={submit} noValidate>
        <h2 id={titleId}>{t('access.title', { name: agent.name })}</h2>
        <p className="hint">{t('access.intro')}</p>
        <fieldset className="checkboxes access-choice">
          <legend>{t('access.choice')}</legend>
          <label className="check">
            <input type="radio" name={choiceId} checked={!restricted} onChange={() => setRestricted(false)} data-testid="access-everyone" />
            {t('access.everyone')}
          </label>
          <label className="check">
            <input
              type="radio"
              name={choiceId}
              checked={restricted}
              onChange={() => setRestricted(true)}
              disabled={groups.length === 0}
              data-testid="access-groups"
            />
            {t('access.groups')}
          </label>
          {groups.length === 0 ? (
            <p className="hint check-list">
              {t('access.noGroups')} <Link to="/admin/groups">{t('access.createGroup')}</Link>
            </p>
          ) : (
            <div className="check-list" data-testid="access-group-list">
              {groups.map((g) => (
                <label key={g.id} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(g.id)}
                    disabled={!restricted}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, g.id] : chosen.filter((id) => id !== g.id))}
                    data-testid="access-group"
                    data-group={g.name}
                  />
                  {g.name}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        {error && (
          <p className="form-error" role="alert" data-testid="access-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={onClose}>
            {tc('common.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={saving} data-testid="access-save">
            {saving ? t('access.saving') : t('access.save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

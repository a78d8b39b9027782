import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { agentsApi, isAbort, type Agent, type AgentInit, type InteractiveField } from '../api';
import { AgentAvatar } from './AgentAvatar';
import { AppField, AppFieldSelect } from './AppField';

/** The empty conversation: the agent's welcome, suggested questions and input variables. */
export function NewChat({ agent, variables, onVariables, onSuggestion }: {
  agent: Agent | undefined;
  variables: Record<string, string>;
  onVariables: (values: Record<string, string>) => void;
  onSuggestion: (text: string) => void;
}) {
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<{ agent: string; init: AgentInit } | null>(null);
  const init = loaded && loaded.agent === agent?.id ? loaded.init : null;

  useEffect(() => {
    if (!agent) return;
    const controller = new AbortController();
    agentsApi
      .agentInit(agent.id, controller.signal)
      .then((init) => setLoaded({ agent: agent.id, init }))
      .catch((e) => {
        // An app that cannot say hello still takes messages.
        if (!isAbort(e)) setLoaded({ agent: agent.id, init: { suggested_questions: [], variables: [] } });
      });
    return () => controller.abort();
  }, [agent]);

  return (
    <div className="new-chat" data-testid="new-chat-screen">
      <AgentAvatar agent={agent} size="large" />
      <h1 className="new-chat-title">{init?.welcome ? agent?.name : t('chat.welcome')}</h1>
      {init?.welcome && <p className="new-chat-welcome">{init.welcome}</p>}
      {init && init.variables.length > 0 && (
        <VariablesForm fields={init.variables} values={variables} onChange={onVariables} />
      )}
      {init && init.suggested_questions.length > 0 && (
        <section className="suggestions" aria-label={t('chat.suggestions')}>
          {init.suggested_questions.map((q) => (
            <button key={q} type="button" className="suggestion" onClick={() => onSuggestion(q)} data-testid="suggestion">
              {q}
            </button>
          ))}
        </section>
      )}
    </div>
  );
}

function VariablesForm({ fields, values, onChange }: {
  fields: InteractiveField[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <fieldset className="variables">
      <legend>{t('chat.variables')}</legend>
      <p className="hint">{t('chat.variablesHint')}</p>
      {fields.map((field) => {
        const fieldId = `${id}-${field.name}`;
        const value = values[field.name] ?? '';
        const set = (v: string) => onChange({ ...values, [field.name]: v });
        return (
          <AppField key={field.name} id={fieldId} field={field}>
            {field.options.length > 0 || field.kind === 'select' ? (
              <AppFieldSelect id={fieldId} field={field} value={value} onChange={set} />
            ) : field.kind === 'textarea' || field.kind === 'paragraph' ? (
              <textarea id={fieldId} value={value} onChange={(e) => set(e.target.value)} required={field.required} rows={3} />
            ) : (
              <input
                id={fieldId}
                type={field.kind === 'number' ? 'number' : 'text'}
                value={value}
                onChange={(e) => set(e.target.value)}
                required={field.required}
              />
            )}
          </AppField>
        );
      })}
    </fieldset>
  );
}

import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Agent } from '../api';
import { AgentAvatar } from './AgentAvatar';
import { CheckIcon, ChevronDownIcon } from './icons';

/** The agent a conversation talks to: avatar, name and description of each. */
export function AgentPicker({ agents, value, onChange, disabled }: {
  agents: Agent[];
  value: string | null;
  onChange: (id: string) => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const listId = useId();
  const current = agents.find((a) => a.id === value);

  useEffect(() => {
    if (!open) return;
    list.current?.focus();
    function outside(event: PointerEvent) {
      if (!list.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  function choose(agent: Agent | undefined) {
    if (!agent) return;
    setOpen(false);
    button.current?.focus();
    if (agent.id !== value) onChange(agent.id);
  }

  function onKeyDown(event: React.KeyboardEvent) {
    if (event.key === 'ArrowDown') setActive((i) => Math.min(agents.length - 1, i + 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (event.key === 'Home') setActive(0);
    else if (event.key === 'End') setActive(agents.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') choose(agents[active]);
    else if (event.key === 'Escape' || event.key === 'Tab') {
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
      return;
    } else return;
    event.preventDefault();
  }

  return (
    <div className="agent-picker">
      <button
        ref={button}
        type="button"
        className="agent-picker-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label={`${t('agents.chooseLabel')}: ${current?.name ?? ''}`}
        onClick={() => {
          setActive(Math.max(0, agents.findIndex((a) => a.id === value)));
          setOpen(!open);
        }}
        disabled={disabled || agents.length === 0}
        data-testid="agent-picker"
      >
        <AgentAvatar agent={current} size="small" />
        <span className="agent-picker-name">{current?.name ?? t('agents.choose')}</span>
        <ChevronDownIcon />
      </button>
      {open && (
        <ul
          ref={list}
          id={listId}
          role="listbox"
          tabIndex={-1}
          aria-label={t('agents.chooseLabel')}
          aria-activedescendant={`${listId}-${active}`}
          className="agent-list"
          onKeyDown={onKeyDown}
        >
          {agents.map((agent, i) => (
            <li
              key={agent.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={agent.id === value}
              className={i === active ? 'active' : undefined}
              onClick={() => choose(agent)}
              onPointerMove={() => setActive(i)}
              data-testid="agent-option"
              data-agent={agent.id}
            >
              <AgentAvatar agent={agent} />
              <span className="agent-text">
                <span className="agent-name">
                  {agent.name}
                  {agent.provider === 'demo' && <span className="badge">{t('agents.demo')}</span>}
                </span>
                {agent.description && <span className="agent-description">{agent.description}</span>}
                {agent.capabilities.length > 0 && (
                  <span className="agent-capabilities">
                    {agent.capabilities.map((c) => (
                      <span key={c} className="chip">
                        {t(`agents.capabilities.${c}`)}
                      </span>
                    ))}
                  </span>
                )}
              </span>
              {agent.id === value && <CheckIcon className="agent-check" />}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The composer's preset picker: a button that opens the presets for the conversation's agent
// (the user's own and admins' shared ones), filtered as one types. ↑/↓ move, Enter picks,
// Escape (or a click outside) closes; with no presets it links to Settings.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { isAbort, presetsApi, type Preset } from '../api';
import { describeError } from '../lib/errors';
import { filterPresets } from '../lib/presets';
import { PresetIcon } from './icons';

export function PresetMenu({ agentId, disabled, onPick }: {
  /** The presets for this agent (and the user's own for any agent). */
  agentId: string | null;
  disabled?: boolean;
  /** The picked preset's text. */
  onPick: (content: string) => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [presets, setPresets] = useState<Preset[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const popover = useRef<HTMLDivElement>(null);
  const filterInput = useRef<HTMLInputElement>(null);
  const settingsLink = useRef<HTMLAnchorElement>(null);
  const id = useId();
  const shown = presets ? filterPresets(presets, query) : [];
  const current = Math.min(active, Math.max(shown.length - 1, 0));

  function show() {
    setPresets(null);
    setError(null);
    setQuery('');
    setActive(0);
    setOpen(true);
  }

  function close(refocus: boolean) {
    setOpen(false);
    if (refocus) button.current?.focus();
  }

  // Asked afresh at each opening: presets change in Settings and in the admin console.
  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    presetsApi.listPresets(agentId, controller.signal).then(
      (list) => setPresets(list.items),
      (e: unknown) => !isAbort(e) && !controller.signal.aborted && setError(describeError(t, e)),
    );
    return () => controller.abort();
  }, [open, agentId, t]);

  // The filter once there are presets; the link to Settings when there are none.
  const loaded = presets !== null;
  const none = presets?.length === 0;
  useEffect(() => {
    if (!open) return;
    if (!loaded) popover.current?.focus();
    else if (none) settingsLink.current?.focus();
    else filterInput.current?.focus();
  }, [open, loaded, none]);

  useEffect(() => {
    if (!open) return;
    function outside(event: PointerEvent) {
      if (!popover.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  // The active option stays in view.
  useEffect(() => {
    if (open) document.getElementById(`${id}-option-${current}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [open, current, id]);

  function pick(preset: Preset) {
    setOpen(false);
    onPick(preset.content);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      // Not the chat's Escape (which stops a streaming answer).
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && shown.length > 0) {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current + step + shown.length) % shown.length);
    } else if (event.key === 'Enter' && event.target === filterInput.current) {
      // Never the composer's form submit.
      event.preventDefault();
      if (!event.nativeEvent.isComposing && shown[current]) pick(shown[current]);
    }
  }

  const label = t('chat.presets.open');
  return (
    <div className="preset-menu">
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => (open ? close(false) : show())}
        disabled={disabled}
        data-testid="preset-menu-button"
      >
        <PresetIcon />
      </button>
      {open && (
        <div
          ref={popover}
          id={id}
          role="dialog"
          aria-label={t('chat.presets.title')}
          className="preset-popover"
          tabIndex={-1}
          onKeyDown={onKeyDown}
          onBlur={(event) => {
            // Tab out of the popover closes it.
            const next = event.relatedTarget as Node | null;
            if (next && !popover.current?.contains(next) && !button.current?.contains(next)) setOpen(false);
          }}
          data-testid="preset-menu"
        >
          {!presets && !error && (
            <p className="hint preset-popover-note" role="status">
              <span className="spinner small" aria-hidden="true" /> {t('common.loading')}
            </p>
          )}
          {error && (
            <p className="form-error preset-popover-note" role="alert">
              {t('chat.presets.loadFailed', { message: error })}
            </p>
          )}
          {presets && presets.length > 0 && (
            <>
              <input
                ref={filterInput}
                className="preset-filter"
                value={query}
                onChange={(e) => {
                  setQuery(e.target.value);
                  setActive(0);
                }}
                placeholder={t('chat.presets.filterPlaceholder')}
                aria-label={t('chat.presets.filter')}
                role="combobox"
                aria-expanded="true"
                aria-autocomplete="list"
                aria-controls={`${id}-list`}
                aria-activedescendant={shown.length > 0 ? `${id}-option-${current}` : undefined}
                autoComplete="off"
                data-testid="preset-filter"
              />
              {shown.length > 0 ? (
                <ul id={`${id}-list`} role="listbox" aria-label={t('chat.presets.title')} className="preset-options">
                  {shown.map((preset, i) => (
                    <li
                      key={preset.id}
                      id={`${id}-option-${i}`}
                      role="option"
                      aria-selected={i === current}
                      className={i === current ? 'active' : undefined}
                      // Keeps the focus in the filter.
                      onMouseDown={(e) => e.preventDefault()}
                      onMouseMove={() => i !== current && setActive(i)}
                      onClick={() => pick(preset)}
                      data-testid="preset-option"
                      data-id={preset.id}
                    >
                      <span className="preset-option-title">
                        {preset.title}
                        {preset.shared && <span className="badge">{t('chat.presets.shared')}</span>}
                      </span>
                      <span className="preset-option-text">{preset.content}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="hint preset-popover-note" role="status" data-testid="preset-no-match">
                  {t('chat.presets.noMatch', { q: query.trim() })}
                </p>
              )}
            </>
          )}
          {presets && presets.length === 0 && (
            <p className="hint preset-popover-note" data-testid="preset-none">
              {t('chat.presets.none')}
            </p>
          )}
          {(presets || error) && (
            <Link ref={settingsLink} to="/settings#presets" className="preset-popover-link" onClick={() => setOpen(false)} data-testid="preset-settings-link">
              {presets?.length === 0 ? t('chat.presets.create') : t('chat.presets.manage')}
            </Link>
          )}
        </div>
      )}
    </div>
  );
}

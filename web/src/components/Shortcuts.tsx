import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { copyText } from '../lib/clipboard';
import { answerText } from '../lib/turn';
import { useChat } from '../stores/chat';
import { useUi } from '../stores/ui';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const mod = isMac ? '⌘' : 'Ctrl';

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}

/** The global shortcuts, and their help dialog (Ctrl/⌘+/ or ?). Ctrl/⌘+B lives in Layout. */
export function Shortcuts() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const help = useUi((s) => s.helpOpen);
  const setHelp = useUi((s) => s.setHelp);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const modKey = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (modKey && !event.shiftKey && key === 'k') {
        event.preventDefault();
        navigate('/');
      } else if (modKey && event.shiftKey && key === 'c') {
        const last = [...useChat.getState().messages].reverse().find((m) => m.role === 'assistant');
        if (last) {
          event.preventDefault();
          void copyText(answerText(last));
        }
      } else if ((modKey && key === '/') || (key === '?' && !typing(event.target))) {
        event.preventDefault();
        setHelp(!useUi.getState().helpOpen);
      } else if (key === '/' && !modKey && !typing(event.target)) {
        event.preventDefault();
        document.querySelector<HTMLTextAreaElement>('[data-testid=composer-input]')?.focus();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, setHelp]);

  if (!help) return null;
  const rows: [string, string][] = [
    [`${mod} K`, t('shortcuts.newChat')],
    ['/', t('shortcuts.focusComposer')],
    ['Esc', t('shortcuts.stop')],
    [`${mod} ⇧ C`, t('shortcuts.copyLast')],
    [`${mod} B`, t('shortcuts.toggleSidebar')],
    ['↑', t('shortcuts.editLast')],
    [`${mod} /`, t('shortcuts.help')],
  ];
  return <HelpDialog rows={rows} onClose={() => setHelp(false)} />;
}

function HelpDialog({ rows, onClose }: { rows: [string, string][]; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <dialog
      ref={(element) => {
        if (element && !element.open && typeof element.showModal === 'function') element.showModal();
      }}
      className="dialog"
      aria-labelledby="shortcuts-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      data-testid="shortcuts-dialog"
    >
      <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
      <table className="shortcuts">
        <tbody>
          {rows.map(([keys, label]) => (
            <tr key={label}>
              <td>{label}</td>
              <td>
                <kbd>{keys}</kbd>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onClose} autoFocus>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}

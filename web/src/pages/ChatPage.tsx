import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { ApiError } from '../api';
import { AgentPicker } from '../components/AgentPicker';
import { Composer, type ComposerHandle } from '../components/Composer';
import { MessageList } from '../components/MessageList';
import { NewChat } from '../components/NewChat';
import { ShareDialog } from '../components/ShareDialog';
import { MenuIcon, ShareIcon, SidebarIcon } from '../components/icons';
import { describeError, errorKind } from '../lib/errors';
import { agentById, useAgents } from '../stores/agents';
import { useChat } from '../stores/chat';
import { useConversations } from '../stores/conversations';
import { useUi } from '../stores/ui';

/**
 * The chat: header, messages, composer. It reads from the stores only what it shows — never
 * the messages themselves — so a streamed frame renders the streaming message, not the page.
 */
export default function ChatPage() {
  const { t } = useTranslation();
  const { id = null } = useParams();
  const navigate = useNavigate();
  const composer = useRef<ComposerHandle>(null);
  const { agents, loaded, selected, select, loadAgents, agentsError } = useAgents(
    useShallow((s) => ({ agents: s.agents, loaded: s.loaded, selected: s.selected, select: s.select, loadAgents: s.load, agentsError: s.error })),
  );
  const chat = useChat(
    useShallow((s) => ({ open: s.open, loading: s.loading, loadError: s.loadError, streaming: s.streaming, reconnecting: s.reconnecting, error: s.error })),
  );
  const empty = useChat((s) => s.messages.length === 0);
  const answeredBy = useChat((s) => s.messages.find((m) => m.agent_id)?.agent_id ?? null);
  // The sidebar's copy when it lists the conversation (the freshest), else the chat's own: a
  // search may hide the open conversation from the sidebar, never from the header.
  const listed = useConversations((s) => s.items.find((c) => c.id === id));
  const own = useChat((s) => (s.conversation?.id === id ? s.conversation : null));
  const conversation = listed ?? own ?? undefined;
  const updateConversation = useConversations((s) => s.update);
  const { collapsed, toggleCollapsed, setDrawer } = useUi(
    useShallow((s) => ({ collapsed: s.collapsed, toggleCollapsed: s.toggleCollapsed, setDrawer: s.setDrawer })),
  );
  // The input variables filled in on the new-conversation screen, for this page only.
  const [filled, setFilled] = useState<{ page: string | null; values: Record<string, string> }>({ page: null, values: {} });
  const variables = filled.page === id ? filled.values : {};
  // The conversation whose share dialog is open.
  const [sharing, setSharing] = useState<string | null>(null);
  const setVariables = (values: Record<string, string>) => setFilled({ page: id, values });

  useEffect(() => {
    if (!loaded) void loadAgents();
  }, [loaded, loadAgents]);

  const { open } = chat;
  useEffect(() => {
    void open(id);
    composer.current?.focus();
  }, [id, open]);

  const agentId = id ? (conversation?.agent_id ?? answeredBy) : selected;
  const agent = agentById(agents, agentId);
  const title = id ? conversation?.title || t('sidebar.untitled') : t('nav.newChat');

  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [title, t]);

  // Escape stops the answer.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === 'Escape' && useChat.getState().streaming && !document.querySelector('dialog[open]')) {
        void useChat.getState().stop();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  async function send(text: string, attachments: string[] = []): Promise<boolean> {
    const hasVariables = Object.values(variables).some((v) => v !== '');
    const extra = { ...(hasVariables ? { variables } : {}), ...(attachments.length > 0 ? { attachments } : {}) };
    if (id) return useChat.getState().send(text, extra);
    if (!agentId) return false;
    const created = await useChat.getState().startConversation(agentId, text, extra);
    if (!created) return false;
    navigate(`/c/${created}`);
    return true;
  }

  function changeAgent(next: string) {
    if (id) void updateConversation(id, { agent_id: next }).catch(() => undefined);
    else select(next);
  }

  const error = chat.error ?? chat.loadError;
  const errorText = useMemo(() => {
    if (!error) return null;
    if (error instanceof ApiError && error.status === 409) return t('errors.turnRunning');
    if (error instanceof ApiError && error.status === 404 && chat.loadError) return t('errors.notFound');
    return describeError(t, error);
  }, [error, chat.loadError, t]);

  // A budget (or the server's daily quota) used up: the usage page shows which, and until when.
  const budget = errorKind(error) === 'budget';

  const showNew = !id || (!chat.loading && empty && !chat.loadError);

  return (
    <main className="chat" id="main" tabIndex={-1}>
      <header className="chat-header">
        <button type="button" className="icon-button" data-phone-only onClick={() => setDrawer(true)} aria-label={t('nav.openSidebar')} data-testid="open-drawer">
          <MenuIcon />
        </button>
        {collapsed && (
          <button type="button" className="icon-button" data-desktop-only onClick={toggleCollapsed} aria-label={t('nav.expandSidebar')} title={t('nav.expandSidebar')}>
            <SidebarIcon />
          </button>
        )}
        <AgentPicker agents={agents} value={agentId} onChange={changeAgent} disabled={chat.streaming} />
        <h1 className="chat-title" data-testid="chat-title">{id ? title : ''}</h1>
        {id && (
          <button type="button" className="icon-button" onClick={() => setSharing(id)} aria-label={t('share.action')} title={t('share.action')} data-testid="share-open">
            <ShareIcon />
          </button>
        )}
      </header>
      {sharing && sharing === id && <ShareDialog conversationId={id} title={title} onClose={() => setSharing(null)} />}

      {loaded && agents.length === 0 && !agentsError && <p className="banner">{t('agents.none')}</p>}

      {showNew ? (
        <div className="chat-empty">
          <NewChat agent={agent} variables={variables} onVariables={setVariables} onSuggestion={(q) => void send(q)} />
        </div>
      ) : chat.loading ? (
        <div className="chat-empty" role="status">
          <span className="spinner" aria-hidden="true" /> {t('common.loading')}
        </div>
      ) : (
        <MessageList key={id} agents={agents} />
      )}

      <div className="composer-area">
        {chat.reconnecting && <p className="banner subtle" role="status">{t('chat.reconnecting')}</p>}
        {errorText && (
          <div className="banner error" role="alert" data-testid="chat-error" data-code={error instanceof ApiError ? error.code : undefined}>
            <span>
              {errorText}
              {budget && (
                <Link to="/usage" className="banner-link" data-testid="chat-error-budgets">
                  {t('chat.seeBudgets')}
                </Link>
              )}
            </span>
            <button type="button" className="icon-button small" onClick={() => useChat.getState().dismissError()} aria-label={t('common.close')}>
              ×
            </button>
          </div>
        )}
        <Composer
          ref={composer}
          draftKey={id ?? 'new'}
          placeholder={t('chat.placeholder', { agent: agent?.name ?? t('app.name') })}
          streaming={chat.streaming}
          disabled={!agentId}
          onSend={send}
          onStop={() => void useChat.getState().stop()}
          acceptsImages={agent?.capabilities.includes('vision') ?? false}
          agentName={agent?.name ?? t('app.name')}
          agentId={agentId}
          onEditLast={() => {
            const { messages, streaming, setEditing } = useChat.getState();
            const last = [...messages].reverse().find((m) => m.role === 'user' && !m.id.startsWith('local-'));
            if (last && !streaming) setEditing(last.id);
          }}
        />
        <p className="composer-footnote">{t('chat.composerHint')}</p>
      </div>
    </main>
  );
}

import { useEffect, useRef, useState } from 'react';
import { NavLink, useMatch, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { conversationsApi, type Conversation } from '../api';
import { describeError } from '../lib/errors';
import { useConversations } from '../stores/conversations';
import { ConfirmDialog } from './ConfirmDialog';
import { Highlighted } from './Highlighted';
import { Menu } from './Menu';
import { ShareDialog } from './ShareDialog';
import { ArchiveIcon, DownloadIcon, EditIcon, MoreIcon, PinIcon, ShareIcon, TrashIcon } from './icons';

export function ConversationItem({ conversation, query = '' }: { conversation: Conversation; query?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const active = useMatch(`/c/${conversation.id}`) !== null;
  const { update, remove } = useConversations();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const title = conversation.title || t('sidebar.untitled');
  // In search results: the newest matching message, cut around the match (none when only the title matched).
  const snippet = conversation.snippet?.trim() || null;

  const report = (e: unknown) => setError(describeError(t, e));

  async function download(format: 'markdown' | 'json') {
    try {
      const text = await conversationsApi.exportConversation(conversation.id, format);
      const blob = new Blob([text], { type: format === 'json' ? 'application/json' : 'text/markdown' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${title.replace(/[\\/:*?"<>|]+/g, '_').slice(0, 80)}.${format === 'json' ? 'json' : 'md'}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      report(e);
    }
  }

  return (
    <li className={`conversation${active ? ' active' : ''}`} data-testid="conversation-item" data-id={conversation.id}>
      {editing ? (
        <RenameField
          initial={conversation.title}
          label={t('sidebar.renameLabel')}
          onDone={(value) => {
            setEditing(false);
            if (value !== null && value.trim() && value.trim() !== conversation.title) {
              update(conversation.id, { title: value.trim() }).catch(report);
            }
          }}
        />
      ) : (
        <NavLink to={`/c/${conversation.id}`} className="conversation-link" title={title} onDoubleClick={() => setEditing(true)}>
          {conversation.pinned && <PinIcon className="conversation-pin" />}
          <span className="conversation-text">
            <span className="conversation-title">{query ? <Highlighted text={title} query={query} /> : title}</span>
            {query && snippet && (
              <span className="conversation-snippet" data-testid="search-snippet">
                <Highlighted text={snippet} query={query} />
              </span>
            )}
          </span>
          {conversation.active_turn && <span className="dot-pulse" aria-label={t('sidebar.running')} />}
        </NavLink>
      )}
      {!editing && (
        <Menu
          label={t('sidebar.actions', { title })}
          icon={<MoreIcon />}
          className="conversation-menu"
          testId="conversation-menu"
          items={[
            { label: t('sidebar.rename'), icon: <EditIcon />, onSelect: () => setEditing(true), testId: 'menu-rename' },
            {
              label: conversation.pinned ? t('sidebar.unpin') : t('sidebar.pin'),
              icon: <PinIcon />,
              onSelect: () => void update(conversation.id, { pinned: !conversation.pinned }).catch(report),
              testId: 'menu-pin',
            },
            {
              label: conversation.archived ? t('sidebar.unarchive') : t('sidebar.archive'),
              icon: <ArchiveIcon />,
              onSelect: () => void update(conversation.id, { archived: !conversation.archived }).catch(report),
              testId: 'menu-archive',
            },
            { label: t('share.action'), icon: <ShareIcon />, onSelect: () => setSharing(true), testId: 'menu-share' },
            { label: t('sidebar.exportMarkdown'), icon: <DownloadIcon />, onSelect: () => void download('markdown') },
            { label: t('sidebar.exportJson'), icon: <DownloadIcon />, onSelect: () => void download('json') },
            { label: t('sidebar.delete'), icon: <TrashIcon />, danger: true, onSelect: () => setConfirming(true), testId: 'menu-delete' },
          ]}
        />
      )}
      {error && (
        <p className="conversation-error" role="alert" onClick={() => setError(null)}>
          {error}
        </p>
      )}
      {sharing && <ShareDialog conversationId={conversation.id} title={title} onClose={() => setSharing(false)} />}
      {confirming && (
        <ConfirmDialog
          title={t('sidebar.deleteTitle')}
          body={t('sidebar.deleteBody', { title })}
          confirmLabel={t('common.delete')}
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            remove(conversation.id)
              .then(() => active && navigate('/'))
              .catch(report);
          }}
        />
      )}
    </li>
  );
}

function RenameField({ initial, label, onDone }: { initial: string; label: string; onDone: (value: string | null) => void }) {
  const [value, setValue] = useState(initial);
  const input = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  const finish = (result: string | null) => {
    if (done.current) return;
    done.current = true;
    onDone(result);
  };
  return (
    <input
      ref={input}
      className="rename-input"
      aria-label={label}
      value={value}
      maxLength={200}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && !e.nativeEvent.isComposing) finish(value);
        if (e.key === 'Escape') finish(null);
      }}
      onBlur={() => finish(value)}
      data-testid="rename-input"
    />
  );
}

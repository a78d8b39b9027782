import { useEffect, useId, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { authApi, type Conversation } from '../api';
import { bucketOf, type Bucket } from '../lib/time';
import { describeError } from '../lib/errors';
import { useAuth } from '../stores/auth';
import { useConversations } from '../stores/conversations';
import { useUi } from '../stores/ui';
import { ConversationItem } from './ConversationItem';
import { ChartIcon, CloseIcon, EditIcon, KeyboardIcon, LogoutIcon, SearchIcon, SettingsIcon, ShieldIcon, SidebarIcon } from './icons';

const BUCKETS: Bucket[] = ['today', 'yesterday', 'previous7', 'older'];

export function Sidebar() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const user = useAuth((s) => s.user);
  const { items, loading, error, nextCursor, archived, query, load, loadMore } = useConversations();
  const { toggleCollapsed, setDrawer } = useUi();
  const [search, setSearch] = useState('');
  const searchId = useId();

  // Server-side search, a moment after typing stops.
  useEffect(() => {
    const timer = setTimeout(() => void load({ query: search }), search ? 250 : 0);
    return () => clearTimeout(timer);
  }, [search, load]);

  const groups = useMemo(() => {
    const now = new Date();
    const pinned = items.filter((c) => c.pinned);
    const byBucket = new Map<Bucket, Conversation[]>();
    for (const c of items) {
      if (c.pinned) continue;
      const bucket = bucketOf(c.updated_at, now);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), c]);
    }
    return { pinned, byBucket };
  }, [items]);

  const newChat = () => {
    navigate('/');
    setDrawer(false);
  };

  return (
    <nav className="sidebar" aria-label={t('nav.mainMenu')} data-testid="sidebar">
      <div className="sidebar-top">
        <button type="button" className="icon-button" onClick={toggleCollapsed} aria-label={t('nav.collapseSidebar')} title={t('nav.collapseSidebar')} data-desktop-only>
          <SidebarIcon />
        </button>
        <button type="button" className="icon-button" onClick={() => setDrawer(false)} aria-label={t('nav.closeSidebar')} data-phone-only>
          <CloseIcon />
        </button>
        <button type="button" className="icon-button" onClick={newChat} aria-label={t('nav.newChat')} title={t('nav.newChat')} data-testid="new-chat">
          <EditIcon />
        </button>
      </div>

      <div className="sidebar-search" role="search">
        <label htmlFor={searchId} className="visually-hidden">
          {t('sidebar.search')}
        </label>
        <SearchIcon />
        {/* type=text: a search field would add the browser's own clear button next to ours. */}
        <input
          id={searchId}
          type="text"
          enterKeyHint="search"
          autoComplete="off"
          placeholder={t('sidebar.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && setSearch('')}
          data-testid="conversation-search"
        />
        {search && (
          <button type="button" className="icon-button small" onClick={() => setSearch('')} aria-label={t('sidebar.clearSearch')} data-testid="clear-search">
            <CloseIcon />
          </button>
        )}
      </div>

      <div className="sidebar-list" data-testid="conversation-list">
        {error ? (
          <p className="sidebar-empty" role="alert">
            {describeError(t, error)}{' '}
            <button type="button" className="link-button" onClick={() => void load()}>
              {t('common.retry')}
            </button>
          </p>
        ) : null}
        {!error && !loading && items.length === 0 && (
          <p className="sidebar-empty">{search ? t('sidebar.noResults', { q: search }) : t('sidebar.empty')}</p>
        )}
        {groups.pinned.length > 0 && <Group title={t('sidebar.pinned')} items={groups.pinned} query={query} />}
        {BUCKETS.map((bucket) => {
          const list = groups.byBucket.get(bucket);
          return list ? (
            <Group key={bucket} title={archived ? `${t('sidebar.archived')} · ${t(`sidebar.${bucket}`)}` : t(`sidebar.${bucket}`)} items={list} query={query} />
          ) : null;
        })}
        {nextCursor && (
          <button type="button" className="button ghost wide" onClick={() => void loadMore()} disabled={loading}>
            {loading ? t('common.loading') : t('sidebar.loadMore')}
          </button>
        )}
      </div>

      <div className="sidebar-bottom">
        <button type="button" className="sidebar-link" onClick={() => void load({ archived: !archived })} aria-pressed={archived} data-testid="toggle-archived">
          {archived ? t('sidebar.hideArchived') : t('sidebar.showArchived')}
        </button>
        <button type="button" className="sidebar-link" onClick={() => useUi.getState().setHelp(true)} data-testid="open-shortcuts">
          <KeyboardIcon />
          <span>{t('shortcuts.open')}</span>
        </button>
        {user?.role === 'admin' && (
          <Link to="/admin" className="sidebar-link" data-testid="admin-link">
            <ShieldIcon />
            <span>{t('nav.admin')}</span>
          </Link>
        )}
        <Link to="/usage" className="sidebar-link" data-testid="usage-link">
          <ChartIcon />
          <span>{t('usage.title')}</span>
        </Link>
        <Link to="/settings" className="sidebar-link">
          <SettingsIcon />
          <span>{t('nav.settings')}</span>
        </Link>
        <div className="sidebar-user">
          <span className="avatar small" aria-hidden="true">
            {(user?.display_name || user?.username || '?').slice(0, 1).toUpperCase()}
          </span>
          <span className="sidebar-username" data-testid="current-user">{user?.display_name || user?.username}</span>
          <button
            type="button"
            className="icon-button"
            aria-label={t('nav.signOut')}
            title={t('nav.signOut')}
            onClick={() => void authApi.logout().catch(() => undefined)}
            data-testid="sign-out"
          >
            <LogoutIcon />
          </button>
        </div>
      </div>
    </nav>
  );
}

function Group({ title, items, query }: { title: string; items: Conversation[]; query: string }) {
  const id = useId();
  return (
    <section className="sidebar-group" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul>
        {items.map((c) => (
          <ConversationItem key={c.id} conversation={c} query={query} />
        ))}
      </ul>
    </section>
  );
}

import { useEffect } from 'react';
import { Outlet, useLocation, useMatch } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../stores/auth';
import { useDeletion } from '../stores/deletion';
import { useUi } from '../stores/ui';
import { DeletionBanner } from './DeletionBanner';
import { Shortcuts } from './Shortcuts';
import { Sidebar } from './Sidebar';

/** The signed-in frame: the sidebar (a drawer on phones) beside the page. */
export function Layout() {
  const { t } = useTranslation();
  const { collapsed, drawerOpen, setDrawer, toggleCollapsed } = useUi();
  const location = useLocation();
  const userId = useAuth((s) => s.user?.id);
  // Settings shows the banner in its own column.
  const inSettings = useMatch('/settings') !== null;

  // Whether the user asked for their account's deletion: a banner offers to cancel it.
  useEffect(() => {
    if (userId) void useDeletion.getState().check(userId);
  }, [userId]);

  // Following a link closes the drawer.
  useEffect(() => setDrawer(false), [location.pathname, setDrawer]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === 'Escape' && useUi.getState().drawerOpen) setDrawer(false);
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'b') {
        event.preventDefault();
        if (window.matchMedia('(max-width: 767px)').matches) setDrawer(!useUi.getState().drawerOpen);
        else toggleCollapsed();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setDrawer, toggleCollapsed]);

  return (
    <div className={`layout${collapsed ? ' collapsed' : ''}${drawerOpen ? ' drawer-open' : ''}`}>
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <Shortcuts />
      <Sidebar />
      {drawerOpen && <div className="scrim" onClick={() => setDrawer(false)} aria-hidden="true" />}
      <div className="page">
        {!inSettings && <DeletionBanner />}
        <Outlet />
      </div>
    </div>
  );
}

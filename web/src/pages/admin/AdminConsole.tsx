// The admin console: its own frame (header with the sections, back to the chat) and routes.
// Loaded as a chunk of its own, with its strings and styles, by admins only.
import { lazy, Suspense } from 'react';
import { Link, NavLink, Route, Routes } from 'react-router';
import { useTranslation } from 'react-i18next';
import '../../i18n/admin';
import '../../styles/admin.css';
import { NotFoundPage } from '../NotFoundPage';
import { Loading } from './shared';

import AgentsPage from './AgentsPage';
import AgentEditor from './AgentEditor';
import UsersPage from './UsersPage';
import GroupsPage from './GroupsPage';
import GroupPage from './GroupPage';
import PricesPage from './PricesPage';
import AuditPage from './AuditPage';
import SystemPage from './SystemPage';

// The dashboard carries the charting library: the other sections do not wait for it.
const Dashboard = lazy(() => import('./Dashboard'));

const SECTIONS = [
  { to: '/admin', key: 'dashboard', end: true },
  { to: '/admin/agents', key: 'agents', end: false },
  { to: '/admin/users', key: 'users', end: false },
  { to: '/admin/groups', key: 'groups', end: false },
  { to: '/admin/prices', key: 'prices', end: false },
  { to: '/admin/audit', key: 'audit', end: false },
  { to: '/admin/system', key: 'system', end: false },
] as const;

export default function AdminConsole() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  return (
    <div className="admin" data-testid="admin-console">
      <a href="#main" className="skip-link">
        {tc('app.skipToContent')}
      </a>
      <header className="admin-header">
        <h1 className="admin-brand">{tc('nav.admin')}</h1>
        <nav className="admin-nav" aria-label={t('sections')}>
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.key}>
                <NavLink to={s.to} end={s.end} data-testid={`admin-nav-${s.key}`}>
                  {t(`nav.${s.key}`)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <Link to="/" className="button ghost small admin-back">
          {tc('nav.back')}
        </Link>
      </header>
      <main className="admin-main" id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route index element={<Dashboard />} />
            <Route path="agents" element={<AgentsPage />} />
            <Route path="agents/new" element={<AgentEditor />} />
            <Route path="agents/:id" element={<AgentEditor />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="groups" element={<GroupsPage />} />
            <Route path="groups/:id" element={<GroupPage />} />
            <Route path="prices" element={<PricesPage />} />
            <Route path="audit" element={<AuditPage />} />
            <Route path="system" element={<SystemPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}

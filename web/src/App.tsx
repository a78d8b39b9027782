import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useAuth } from './stores/auth';
import { Layout } from './components/Layout';
import { LoginPage, RegisterPage } from './pages/AuthPages';
import { ForbiddenPage } from './pages/ForbiddenPage';
import { NotFoundPage } from './pages/NotFoundPage';

// The chat (Markdown, highlighting) and settings load after sign-in.
const ChatPage = lazy(() => import('./pages/ChatPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const UsagePage = lazy(() => import('./pages/UsagePage'));
// A shared conversation: public (no sign-in needed), light (no sidebar).
const SharePage = lazy(() => import('./pages/SharePage'));
// The admin console (charts included) is its own chunk, fetched by admins only.
const AdminConsole = lazy(() => import('./pages/admin/AdminConsole'));

export function Splash() {
  const { t } = useTranslation();
  return (
    <div className="splash" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{t('app.loading')}</span>
    </div>
  );
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const status = useAuth((s) => s.status);
  const ended = useAuth((s) => s.ended);
  const location = useLocation();
  if (status === 'loading') return <Splash />;
  if (status === 'signed_out') {
    // A deleted account has nothing to come back to.
    if (ended === 'deleted') return <Navigate to="/login" replace />;
    const next = location.pathname + location.search;
    return <Navigate to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  return <>{children}</>;
}

/** Admins only: a user gets the 403 screen, and the console's code is never fetched. */
function RequireAdmin({ children }: { children: ReactNode }) {
  const role = useAuth((s) => s.user?.role);
  if (role !== 'admin') return <ForbiddenPage />;
  return <>{children}</>;
}

function PublicOnly({ children }: { children: ReactNode }) {
  const status = useAuth((s) => s.status);
  const location = useLocation();
  if (status === 'loading') return <Splash />;
  if (status === 'signed_in') {
    const next = new URLSearchParams(location.search).get('next');
    return <Navigate to={next && next.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
  }
  return <>{children}</>;
}

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/login" element={<PublicOnly><LoginPage /></PublicOnly>} />
        <Route path="/register" element={<PublicOnly><RegisterPage /></PublicOnly>} />
        {/* For everyone, signed in or not: the page itself waits for the session to be known. */}
        <Route path="/share/:id" element={<Suspense fallback={<Splash />}><SharePage /></Suspense>} />
        <Route element={<RequireAuth><Layout /></RequireAuth>}>
          <Route index element={<Suspense fallback={<Splash />}><ChatPage /></Suspense>} />
          <Route path="c/:id" element={<Suspense fallback={<Splash />}><ChatPage /></Suspense>} />
          <Route path="settings" element={<Suspense fallback={<Splash />}><SettingsPage /></Suspense>} />
          <Route path="usage" element={<Suspense fallback={<Splash />}><UsagePage /></Suspense>} />
        </Route>
        <Route
          path="/admin/*"
          element={
            <RequireAuth>
              <RequireAdmin>
                <Suspense fallback={<Splash />}>
                  <AdminConsole />
                </Suspense>
              </RequireAdmin>
            </RequireAuth>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </BrowserRouter>
  );
}

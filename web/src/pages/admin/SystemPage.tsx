// Operations: the health of each component, the build, who can register (and invitations),
// the data lifecycle (what it would delete, and running it now), and a configuration reload
// that shows what changed, or the validation report when the new configuration is refused.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, ApiError, type ComponentStatus, type ConfigReloadOutcome } from '../../api';
import { describeError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { InvitationsSection } from './InvitationsSection';
import { LifecycleSection } from './LifecycleSection';
import { RegistrationSection } from './RegistrationSection';
import { LoadError, Loading, NoticeBanner, PageTitle, StatusBadge, type Notice } from './shared';
import { useLoad } from './useLoad';

const tone = (status: ComponentStatus | 'ok' | 'degraded' | 'down') =>
  status === 'ok' ? 'ok' : status === 'down' ? 'bad' : status === 'disabled' ? 'neutral' : 'warn';

function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
}

export default function SystemPage() {
  const { t, i18n } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const health = useLoad(() => adminApi.health(), 'health');
  const version = useLoad(() => adminApi.version(), 'version');
  const [notice, setNotice] = useState<Notice | null>(null);
  const [outcome, setOutcome] = useState<ConfigReloadOutcome | null>(null);
  const [busy, setBusy] = useState(false);

  async function reload() {
    setBusy(true);
    setNotice(null);
    setOutcome(null);
    try {
      const result = await adminApi.reloadConfig();
      setOutcome(result);
      setNotice({ ok: true, text: t('system.reloaded') });
      health.reload();
    } catch (error) {
      setNotice({ ok: false, text: describeError(tc, error), problems: error instanceof ApiError ? error.problems : undefined });
    } finally {
      setBusy(false);
    }
  }

  const components = health.data?.components;
  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-system">
      <PageTitle
        title={t('system.title')}
        actions={
          <button type="button" className="button" onClick={health.reload}>
            {t('system.refresh')}
          </button>
        }
      />
      <div className="system-grid">
        <section className="card" aria-labelledby="system-health">
          <h3 id="system-health">{t('system.health')}</h3>
          {health.error ? <LoadError error={health.error} onRetry={health.reload} /> : null}
          {!health.data && !health.error && <Loading />}
          {health.data && (
            <>
              <p>
                <StatusBadge tone={tone(health.data.status)}>{t(`system.status.${health.data.status}`)}</StatusBadge>{' '}
                <span className="hint">{t('system.uptime', { uptime: uptime(health.data.uptime_s), env: health.data.environment })}</span>
              </p>
              {components && (
                <table className="table" data-testid="health-components">
                  <thead>
                    <tr>
                      <th scope="col">{t('system.component')}</th>
                      <th scope="col">{t('system.state')}</th>
                      <th scope="col" className="num">{t('system.latency')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(['database', 'migrations', 'redis'] as const).map((name) => {
                      const c = components[name];
                      return (
                        <tr key={name}>
                          <th scope="row">{t(`system.components.${name}`)}</th>
                          <td>
                            <StatusBadge tone={tone(c.status)}>{t(`system.status.${c.status}`)}</StatusBadge>
                            {c.error && <span className="test-error">{c.error}</span>}
                          </td>
                          <td className="num">{c.latency_ms === null || c.latency_ms === undefined ? '—' : `${c.latency_ms.toFixed(1)} ms`}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </>
          )}
        </section>
        <section className="card" aria-labelledby="system-version">
          <h3 id="system-version">{t('system.version')}</h3>
          {version.error ? <LoadError error={version.error} onRetry={version.reload} /> : null}
          {version.data && (
            <dl className="facts" data-testid="version">
              <dt>{t('system.versionLabel')}</dt>
              <dd>{version.data.version}</dd>
              <dt>{t('system.commit')}</dt>
              <dd>
                <code>{version.data.git_commit}</code>
              </dd>
              <dt>{t('system.built')}</dt>
              <dd>{formatDateTime(version.data.build_time, i18n.language)}</dd>
              <dt>{t('system.environment')}</dt>
              <dd>{version.data.environment}</dd>
              <dt>{t('system.rustc')}</dt>
              <dd>{version.data.rustc}</dd>
              {version.data.features.length > 0 && (
                <>
                  <dt>{t('system.features')}</dt>
                  <dd>{version.data.features.join(', ')}</dd>
                </>
              )}
            </dl>
          )}
        </section>
      </div>
      <div className="system-accounts">
        <RegistrationSection />
        <InvitationsSection />
      </div>
      <LifecycleSection />
      <section className="card reload-card" aria-labelledby="system-reload">
        <h3 id="system-reload">{t('system.reload')}</h3>
        <p className="hint">{t('system.reloadIntro')}</p>
        <button type="button" className="button primary" onClick={() => void reload()} disabled={busy} data-testid="reload-config">
          {busy ? t('system.reloading') : t('system.reload')}
        </button>
        {notice && <NoticeBanner notice={notice} onClose={() => setNotice(null)} />}
        {outcome && (
          <dl className="facts" data-testid="reload-outcome">
            <dt>{t('system.applied')}</dt>
            <dd>{outcome.applied.length > 0 ? outcome.applied.join(', ') : t('system.nothingChanged')}</dd>
            <dt>{t('system.restartRequired')}</dt>
            <dd>{outcome.restart_required.length > 0 ? outcome.restart_required.join(', ') : '—'}</dd>
            <dt>{t('system.agents')}</dt>
            <dd>{outcome.agents.join(', ')}</dd>
          </dl>
        )}
      </section>
    </section>
  );
}

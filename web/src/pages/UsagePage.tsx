// The user's own usage: the budgets that apply to them, totals over the last 30 days, and the
// same per agent and per day.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { usageApi, type UsageReport } from '../api';
import { MenuIcon } from '../components/icons';
import { describeError } from '../lib/errors';
import { formatNumber } from '../lib/format';
import { summarizeUsage, type UsageRow } from '../lib/usage';
import { agentById, useAgents } from '../stores/agents';
import { MyBudgets } from './UsageBudgets';
import { useUi } from '../stores/ui';

export default function UsagePage() {
  const { t, i18n } = useTranslation();
  const setDrawer = useUi((s) => s.setDrawer);
  const { agents, loaded, load: loadAgents } = useAgents();
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    document.title = `${t('usage.title')} · ${t('app.name')}`;
  }, [t]);
  useEffect(() => {
    if (!loaded) void loadAgents();
  }, [loaded, loadAgents]);
  useEffect(() => {
    const controller = new AbortController();
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    usageApi.myUsage({ tz }, controller.signal).then(setReport, (e: unknown) => !controller.signal.aborted && setError(e));
    return () => controller.abort();
  }, []);

  const n = (value: number) => formatNumber(value, i18n.language);
  const summary = report ? summarizeUsage(report) : null;
  return (
    <main className="settings" id="main" tabIndex={-1} data-testid="usage-page">
      <header className="chat-header">
        <button type="button" className="icon-button" data-phone-only onClick={() => setDrawer(true)} aria-label={t('nav.openSidebar')}>
          <MenuIcon />
        </button>
        <h1 className="chat-title">{t('usage.title')}</h1>
        <Link to="/" className="button ghost">
          {t('nav.back')}
        </Link>
      </header>
      <div className="settings-body">
        <MyBudgets />
        {error ? <p className="banner error" role="alert">{describeError(t, error)}</p> : null}
        {!report && !error && (
          <p role="status" className="usage-summary">
            <span className="spinner" aria-hidden="true" /> {t('common.loading')}
          </p>
        )}
        {report && summary && (
          <>
            <div className="usage-summary">
              <p className="hint">{t('usage.intro', { tz: report.tz })}</p>
              <dl className="usage-totals" data-testid="usage-totals">
                <div>
                  <dt>{t('usage.requests')}</dt>
                  <dd data-testid="usage-requests">{n(report.totals.requests)}</dd>
                </div>
                <div>
                  <dt>{t('usage.prompt')}</dt>
                  <dd>{n(report.totals.prompt_tokens)}</dd>
                </div>
                <div>
                  <dt>{t('usage.completion')}</dt>
                  <dd>{n(report.totals.completion_tokens)}</dd>
                </div>
                <div>
                  <dt>{t('usage.errors')}</dt>
                  <dd>{n(report.totals.errors)}</dd>
                </div>
              </dl>
            </div>
            {report.items.length === 0 ? (
              <p className="hint usage-summary">{t('usage.none')}</p>
            ) : (
              <>
                <UsageTable
                  title={t('usage.byAgent')}
                  head={t('usage.agent')}
                  rows={summary.byAgent}
                  label={(key) => agentById(agents, key)?.name ?? key}
                  testId="usage-by-agent"
                />
                <UsageTable title={t('usage.byDay')} head={t('usage.day')} rows={summary.byDay} label={(key) => key} testId="usage-by-day" />
              </>
            )}
          </>
        )}
      </div>
    </main>
  );
}

function UsageTable({ title, head, rows, label, testId }: { title: string; head: string; rows: UsageRow[]; label: (key: string) => string; testId: string }) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <div className="table-wrap">
        <table className="table" data-testid={testId}>
          <thead>
            <tr>
              <th scope="col">{head}</th>
              <th scope="col" className="num">{t('usage.requests')}</th>
              <th scope="col" className="num">{t('usage.prompt')}</th>
              <th scope="col" className="num">{t('usage.completion')}</th>
              <th scope="col" className="num">{t('usage.errors')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{label(row.key)}</th>
                <td className="num">{n(row.requests)}</td>
                <td className="num">{n(row.prompt_tokens)}</td>
                <td className="num">{n(row.completion_tokens)}</td>
                <td className="num">{n(row.errors)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

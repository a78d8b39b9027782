// The dashboard: totals on cards, then per-day series, top agents, provider share, error rate
// and time to first token, and a usage table grouped by user, agent or day.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type AdminStats, type UsageGroup } from '../../api';
import { formatNumber, formatPercent } from '../../lib/format';
import { ChartView } from './Chart';
import { seriesColor } from './chartTheme';
import { LoadError, Loading, PageTitle } from './shared';
import { useLoad } from './useLoad';

const DAYS = 14;
const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** `YYYY-MM-DD` of the day `days` before today, in the browser's zone. */
function dayBefore(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export default function Dashboard() {
  const { t } = useTranslation('admin');
  const tz = timeZone();
  const stats = useLoad((signal) => adminApi.stats({ days: DAYS, tz }, signal), tz);
  const perDay = useLoad((signal) => adminApi.usage({ group_by: 'day', from: dayBefore(DAYS - 1), tz }, signal), tz);

  return (
    <section aria-labelledby="admin-page-title" data-testid="admin-dashboard">
      <PageTitle title={t('dashboard.title')}>
        <p className="hint">{t('dashboard.window', { days: DAYS, tz })}</p>
      </PageTitle>
      {stats.error ? <LoadError error={stats.error} onRetry={stats.reload} /> : null}
      {!stats.data && !stats.error && <Loading />}
      {stats.data && <Overview stats={stats.data} ttft={perDay.data?.items ?? []} />}
      <UsageTable tz={tz} />
    </section>
  );
}

function Overview({ stats, ttft }: { stats: AdminStats; ttft: UsageGroup[] }) {
  const { t, i18n } = useTranslation('admin');
  const lang = i18n.language;
  const n = (v: number) => formatNumber(v, lang);
  const today = stats.daily[stats.daily.length - 1];
  const days = stats.daily.map((d) => d.day.slice(5));
  const p95 = stats.last_24h.p95_ttft_ms;
  const cards = [
    { label: t('dashboard.users'), value: n(stats.users.total), note: t('dashboard.active7d', { count: stats.users.active_7d }) },
    { label: t('dashboard.conversations'), value: n(stats.conversations) },
    { label: t('dashboard.messages'), value: n(stats.messages) },
    { label: t('dashboard.tokensToday'), value: n(today?.tokens ?? 0), note: t('dashboard.requestsToday', { count: today?.requests ?? 0 }) },
    { label: t('dashboard.errorRate24h'), value: formatPercent(stats.last_24h.error_rate, lang), note: t('dashboard.errorsOf', { errors: stats.last_24h.errors, requests: stats.last_24h.requests }) },
    { label: t('dashboard.p95Ttft24h'), value: p95 === null || p95 === undefined ? '—' : t('dashboard.ms', { value: n(p95) }) },
  ];
  const ttftByDay = new Map(ttft.map((g) => [g.key, g.p95_ttft_ms ?? null]));
  const topAgents = stats.top_agents.by_requests;

  return (
    <>
      <ul className="stat-cards" data-testid="stat-cards">
        {cards.map((card) => (
          <li key={card.label} className="stat-card">
            <span className="stat-label">{card.label}</span>
            <strong className="stat-value">{card.value}</strong>
            {card.note && <span className="stat-note">{card.note}</span>}
          </li>
        ))}
      </ul>
      <div className="chart-grid">
        <ChartCard title={t('dashboard.tokensPerDay')}>
          <ChartView
            testId="chart-tokens"
            label={t('dashboard.tokensPerDayLabel', { days: stats.days })}
            table={{ columns: [t('dashboard.day'), t('dashboard.prompt'), t('dashboard.completion')], rows: stats.daily.map((d) => [d.day, d.prompt_tokens, d.completion_tokens]) }}
            config={(theme) => ({
              type: 'bar',
              data: {
                labels: days,
                datasets: [
                  { label: t('dashboard.prompt'), data: stats.daily.map((d) => d.prompt_tokens), backgroundColor: seriesColor(theme, 0) },
                  { label: t('dashboard.completion'), data: stats.daily.map((d) => d.completion_tokens), backgroundColor: seriesColor(theme, 1) },
                ],
              },
              options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
            })}
          />
        </ChartCard>
        <ChartCard title={t('dashboard.messagesPerDay')}>
          <ChartView
            testId="chart-messages"
            label={t('dashboard.messagesPerDayLabel', { days: stats.days })}
            table={{ columns: [t('dashboard.day'), t('dashboard.messages')], rows: stats.daily.map((d) => [d.day, d.messages]) }}
            config={(theme) => ({
              type: 'line',
              data: {
                labels: days,
                datasets: [{ label: t('dashboard.messages'), data: stats.daily.map((d) => d.messages), borderColor: seriesColor(theme, 1), backgroundColor: seriesColor(theme, 1), cubicInterpolationMode: 'monotone' as const }],
              },
              options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
            })}
          />
        </ChartCard>
        <ChartCard title={t('dashboard.topAgents')}>
          {topAgents.length === 0 ? (
            <p className="hint">{t('dashboard.noTraffic')}</p>
          ) : (
            <ChartView
              testId="chart-agents"
              label={t('dashboard.topAgentsLabel')}
              table={{ columns: [t('dashboard.agent'), t('dashboard.requests'), t('dashboard.tokens')], rows: topAgents.map((a) => [a.agent_id, a.requests, a.tokens]) }}
              config={(theme) => ({
                type: 'bar',
                data: {
                  labels: topAgents.map((a) => a.agent_id),
                  datasets: [{ label: t('dashboard.requests'), data: topAgents.map((a) => a.requests), backgroundColor: seriesColor(theme, 0) }],
                },
                options: { ...common, indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
              })}
            />
          )}
        </ChartCard>
        <ChartCard title={t('dashboard.providers')}>
          {stats.providers.length === 0 ? (
            <p className="hint">{t('dashboard.noTraffic')}</p>
          ) : (
            <ChartView
              testId="chart-providers"
              label={t('dashboard.providersLabel')}
              table={{ columns: [t('dashboard.provider'), t('dashboard.requests'), t('dashboard.share')], rows: stats.providers.map((p) => [p.provider, p.requests, formatPercent(p.share, lang)]) }}
              config={(theme) => ({
                type: 'doughnut',
                data: {
                  labels: stats.providers.map((p) => p.provider),
                  datasets: [{ data: stats.providers.map((p) => p.requests), backgroundColor: stats.providers.map((_, i) => seriesColor(theme, i)), borderWidth: 0 }],
                },
                options: { ...common, plugins: { legend: { position: 'right' } } },
              })}
            />
          )}
        </ChartCard>
        <ChartCard title={t('dashboard.errorRate')}>
          <ChartView
            testId="chart-errors"
            label={t('dashboard.errorRateLabel', { days: stats.days })}
            table={{ columns: [t('dashboard.day'), t('dashboard.errors'), t('dashboard.requests')], rows: stats.daily.map((d) => [d.day, d.errors, d.requests]) }}
            config={(theme) => ({
              type: 'line',
              data: {
                labels: days,
                datasets: [
                  {
                    label: t('dashboard.errorRate'),
                    data: stats.daily.map((d) => (d.requests > 0 ? (100 * d.errors) / d.requests : 0)),
                    borderColor: seriesColor(theme, 4),
                    backgroundColor: seriesColor(theme, 4),
                    cubicInterpolationMode: 'monotone' as const,
                  },
                ],
              },
              options: { ...common, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, suggestedMax: 5, ticks: { callback: (v) => `${v}%` } } } },
            })}
          />
        </ChartCard>
        <ChartCard title={t('dashboard.ttft')}>
          <ChartView
            testId="chart-ttft"
            label={t('dashboard.ttftLabel', { days: stats.days })}
            table={{ columns: [t('dashboard.day'), t('dashboard.p95')], rows: stats.daily.map((d) => [d.day, ttftByDay.get(d.day) ?? '—']) }}
            config={(theme) => ({
              type: 'line',
              data: {
                labels: days,
                datasets: [
                  {
                    label: t('dashboard.p95'),
                    data: stats.daily.map((d) => ttftByDay.get(d.day) ?? null),
                    borderColor: seriesColor(theme, 2),
                    backgroundColor: seriesColor(theme, 2),
                    spanGaps: true,
                    cubicInterpolationMode: 'monotone' as const,
                  },
                ],
              },
              options: { ...common, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { callback: (v) => `${v} ms` } } } },
            })}
          />
        </ChartCard>
      </div>
    </>
  );
}

/** Options every chart shares: no animation (it would delay what the admin came to read). */
const common = { responsive: true, maintainAspectRatio: false, animation: false as const };

function ChartCard({ title, children }: { title: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <section className="card chart-card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

type GroupBy = 'user' | 'agent' | 'day';

function UsageTable({ tz }: { tz: string }) {
  const { t, i18n } = useTranslation('admin');
  const [groupBy, setGroupBy] = useState<GroupBy>('user');
  const report = useLoad((signal) => adminApi.usage({ group_by: groupBy, tz }, signal), `${groupBy}/${tz}`);
  const n = (v: number) => formatNumber(v, i18n.language);
  const headingId = useId();
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="admin-title">
        <h3 id={headingId}>{t('usage.title')}</h3>
        <div className="segmented" role="group" aria-label={t('usage.groupBy')}>
          {(['user', 'agent', 'day'] as const).map((g) => (
            <button key={g} type="button" className="button small" aria-pressed={groupBy === g} onClick={() => setGroupBy(g)} data-testid={`usage-${g}`}>
              {t(`usage.by.${g}`)}
            </button>
          ))}
        </div>
      </div>
      <p className="hint">{t('usage.window')}</p>
      {report.error ? <LoadError error={report.error} onRetry={report.reload} /> : null}
      {report.data && (
        <div className="table-wrap">
          <table className="table" data-testid="usage-table">
            <thead>
              <tr>
                <th scope="col">{t(`usage.by.${groupBy}`)}</th>
                <th scope="col" className="num">{t('dashboard.requests')}</th>
                <th scope="col" className="num">{t('dashboard.prompt')}</th>
                <th scope="col" className="num">{t('dashboard.completion')}</th>
                <th scope="col" className="num">{t('dashboard.errorRate')}</th>
                <th scope="col" className="num">{t('usage.avgTtft')}</th>
                <th scope="col" className="num">{t('dashboard.p95')}</th>
              </tr>
            </thead>
            <tbody>
              {report.data.items.length === 0 && (
                <tr>
                  <td colSpan={7}>{t('dashboard.noTraffic')}</td>
                </tr>
              )}
              {report.data.items.map((g) => (
                <tr key={g.key ?? '-'}>
                  <th scope="row">{g.username ?? g.key ?? t('usage.anonymous')}</th>
                  <td className="num">{n(g.requests)}</td>
                  <td className="num">{n(g.prompt_tokens)}</td>
                  <td className="num">{n(g.completion_tokens)}</td>
                  <td className="num">{formatPercent(g.error_rate, i18n.language)}</td>
                  <td className="num">{g.avg_ttft_ms === null || g.avg_ttft_ms === undefined ? '—' : t('dashboard.ms', { value: n(g.avg_ttft_ms) })}</td>
                  <td className="num">{g.p95_ttft_ms === null || g.p95_ttft_ms === undefined ? '—' : t('dashboard.ms', { value: n(g.p95_ttft_ms) })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

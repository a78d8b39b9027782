// Chart.js on a canvas, coloured from the theme and redrawn when the theme changes. The
// canvas is a picture for sighted users; the same figures are in a table for screen readers.
import { useEffect, useRef } from 'react';
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useThemeName, type ThemeName } from './chartTheme';

Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export interface ChartProps {
  /** Builds the chart for a theme; datasets take their colours from `seriesColor`. */
  config: (theme: ThemeName) => ChartConfiguration;
  /** What the chart shows, in one sentence. */
  label: string;
  /** The same figures as a table (column headings, then rows). */
  table: { columns: string[]; rows: (string | number)[][] };
  height?: number;
  testId?: string;
}

export function ChartView({ config, label, table, height = 240, testId }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useThemeName();
  const build = useRef(config);
  // Redraw when the figures change, not on every render of the page.
  const figures = JSON.stringify(table);
  useEffect(() => {
    build.current = config;
  });

  useEffect(() => {
    if (!canvas.current) return;
    const text = cssVar('--fg-soft');
    const grid = cssVar('--border');
    Chart.defaults.color = text;
    Chart.defaults.borderColor = grid;
    Chart.defaults.font.family = cssVar('--font');
    const chart = new Chart(canvas.current, build.current(theme));
    return () => chart.destroy();
  }, [theme, figures]);

  return (
    <div className="chart" style={{ height }} data-testid={testId}>
      <canvas ref={canvas} role="img" aria-label={label} />
      <table className="visually-hidden">
        <caption>{label}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The theme in force and the chart colours for it.
import { useSyncExternalStore } from 'react';

/** Series colours with at least 3:1 contrast on each theme's background. */
const SERIES = {
  light: ['#0d8a6b', '#2563eb', '#b45309', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#a21caf'],
  dark: ['#3fd8b0', '#7cacf8', '#fbbf24', '#c4b5fd', '#fb7185', '#67e8f9', '#a3e635', '#f0abfc'],
};

export type ThemeName = keyof typeof SERIES;

function subscribe(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

/** The theme in force (`<html data-theme>`), following changes. */
export function useThemeName(): ThemeName {
  return useSyncExternalStore(subscribe, () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'));
}

export function seriesColor(theme: ThemeName, index: number): string {
  const colors = SERIES[theme];
  return colors[index % colors.length] ?? colors[0] ?? 'currentColor';
}

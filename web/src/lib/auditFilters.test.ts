import { describe, expect, test } from 'vitest';
import { filtersFromSearch, filtersToQuery, filtersToSearch, NO_FILTERS } from './auditFilters';

describe('audit filters', () => {
  test('no filter asks for everything', () => {
    expect(filtersToQuery(NO_FILTERS)).toEqual({});
  });

  test('days become the bounds of local days, the last day included', () => {
    const query = filtersToQuery({ ...NO_FILTERS, from: '2026-11-01', to: '2026-11-03' });
    expect(new Date(query.from!).getTime()).toBe(new Date(2026, 10, 1).getTime());
    expect(new Date(query.to!).getTime()).toBe(new Date(2026, 10, 4).getTime());
  });

  test('a username is sent as the user id when it is known, else as typed', () => {
    const ids: Record<string, string> = { alice: 'u-1' };
    expect(filtersToQuery({ ...NO_FILTERS, actor: ' alice ' }, (name) => ids[name]).actor).toBe('u-1');
    expect(filtersToQuery({ ...NO_FILTERS, actor: 'u-9' }, (name) => ids[name]).actor).toBe('u-9');
  });

  test('filters survive the address bar, and malformed days are dropped', () => {
    const filters = { actor: 'alice', action: 'auth.login', from: '2026-11-01', to: '' };
    const search = filtersToSearch(filters);
    expect(search.toString()).toBe('actor=alice&action=auth.login&from=2026-11-01');
    expect(filtersFromSearch(search)).toEqual(filters);
    expect(filtersFromSearch(new URLSearchParams('from=yesterday')).from).toBe('');
  });
});

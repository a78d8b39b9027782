// The small pure helpers of issue 13: search highlights, API key expiry and snippets, the
// usage summary, audit names, invitation links.
import { describe, expect, test } from 'vitest';
import type { AuditEntry, UsageReport } from '../api';
import { expiryFrom, keySnippets } from './apiKeys';
import { auditActor, auditTarget } from './auditNames';
import { isEmoji, ICON_EMOJI } from './emoji';
import { highlight } from './highlight';
import { invitationLink, parseExpiryDays } from './invitations';
import { summarizeUsage } from './usage';

describe('highlight', () => {
  test('marks every match, whatever the case', () => {
    expect(highlight('Zebra and zebras', 'zebra')).toEqual([
      { text: 'Zebra', match: true },
      { text: ' and ', match: false },
      { text: 'zebra', match: true },
      { text: 's', match: false },
    ]);
  });
  test('works for Chinese and leaves text alone for a blank query or no match', () => {
    expect(highlight('如何部署服务', '部署')).toEqual([
      { text: '如何', match: false },
      { text: '部署', match: true },
      { text: '服务', match: false },
    ]);
    expect(highlight('Title', '  ')).toEqual([{ text: 'Title', match: false }]);
    expect(highlight('Title', 'zzz')).toEqual([{ text: 'Title', match: false }]);
  });
});

describe('API key expiry', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  test('never, 30 and 90 days', () => {
    expect(expiryFrom('never', '', now)).toBeNull();
    expect(expiryFrom('30', '', now)).toBe('2027-01-01T12:00:00.000Z');
    expect(expiryFrom('90', '', now)).toBe('2027-03-02T12:00:00.000Z');
  });
  test('a date: the end of that day; none or a past one is refused', () => {
    const end = new Date(expiryFrom('date', '2027-01-15', now)!);
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours()]).toEqual([2027, 0, 15, 23]);
    expect(expiryFrom('date', '', now)).toBeUndefined();
    expect(expiryFrom('date', '2020-01-01', now)).toBeUndefined();
  });
});

describe('API key snippets', () => {
  const { curl, python } = keySnippets('https://chat.example.com/v1', 'sk-llmc-abc', 'demo');
  test('curl calls chat/completions with the key and the agent as model', () => {
    expect(curl).toContain('curl https://chat.example.com/v1/chat/completions');
    expect(curl).toContain('Authorization: Bearer sk-llmc-abc');
    expect(curl).toContain('"model":"demo"');
  });
  test('Python uses the openai client with the base URL', () => {
    expect(python).toContain('from openai import OpenAI');
    expect(python).toContain('OpenAI(base_url="https://chat.example.com/v1", api_key="sk-llmc-abc")');
    expect(python).toContain('model="demo"');
  });
});

describe('summarizeUsage', () => {
  const report: UsageReport = {
    from: '2026-11-03T00:00:00Z',
    to: '2026-12-03T00:00:00Z',
    tz: 'UTC',
    totals: { requests: 4, prompt_tokens: 40, completion_tokens: 400, errors: 1 },
    items: [
      { day: '2026-12-01', agent_id: 'demo', requests: 1, prompt_tokens: 10, completion_tokens: 100, errors: 0 },
      { day: '2026-12-01', agent_id: 'gpt', requests: 1, prompt_tokens: 10, completion_tokens: 200, errors: 1 },
      { day: '2026-12-02', agent_id: 'demo', requests: 2, prompt_tokens: 20, completion_tokens: 100, errors: 0 },
    ],
  };
  test('per agent, most tokens first; per day, newest first', () => {
    const { byAgent, byDay } = summarizeUsage(report);
    expect(byAgent).toEqual([
      { key: 'demo', requests: 3, prompt_tokens: 30, completion_tokens: 200, errors: 0 },
      { key: 'gpt', requests: 1, prompt_tokens: 10, completion_tokens: 200, errors: 1 },
    ]);
    expect(byDay.map((d) => [d.key, d.requests])).toEqual([
      ['2026-12-02', 2],
      ['2026-12-01', 2],
    ]);
  });
});

describe('audit names', () => {
  const entry = (changes: Partial<AuditEntry>): AuditEntry => ({
    id: '1',
    action: 'user.create',
    result: 'success',
    details: {},
    created_at: '2026-12-02T00:00:00Z',
    ...changes,
  });
  const users = new Map([['u-1', 'alice']]);
  test('the server’s names first', () => {
    expect(auditActor(entry({ actor_id: 'u-2', actor_name: 'bob' }), users)).toEqual({ kind: 'name', text: 'bob' });
    expect(auditTarget(entry({ target_type: 'api_key', target_id: 'k-1', target_name: 'laptop' }), users)).toEqual({ kind: 'name', text: 'laptop' });
  });
  test('a user created on the command line is "via CLI"', () => {
    expect(auditActor(entry({ actor_id: null, actor_name: null, details: { via: 'cli', role: 'admin' } as unknown as AuditEntry['details'] }), users)).toEqual({ kind: 'cli' });
  });
  test('known usernames, then the bare id (gone only when the server names things)', () => {
    expect(auditActor(entry({ actor_id: 'u-1' }), users)).toEqual({ kind: 'name', text: 'alice' });
    expect(auditTarget(entry({ target_type: 'api_key', target_id: 'k-9' }), users)).toEqual({ kind: 'id', text: 'k-9', gone: false });
    expect(auditTarget(entry({ target_type: 'user', target_id: 'u-9', target_name: null }), users)).toEqual({ kind: 'id', text: 'u-9', gone: true });
    expect(auditTarget(entry({ target_type: 'invitation', target_id: 'i-1', target_name: null }), users)).toEqual({ kind: 'id', text: 'i-1', gone: false });
  });
});

describe('invitations', () => {
  test('the link opens the register page with the code', () => {
    expect(invitationLink('https://chat.example.com', 'ab+c/d')).toBe('https://chat.example.com/register?invite=ab%2Bc%2Fd');
  });
  test('expiry days are whole numbers from 1 to 90', () => {
    expect(parseExpiryDays('7')).toBe(7);
    expect(parseExpiryDays(' 90 ')).toBe(90);
    expect(parseExpiryDays('0')).toBeNull();
    expect(parseExpiryDays('91')).toBeNull();
    expect(parseExpiryDays('1.5')).toBeNull();
  });
});

describe('emoji avatars', () => {
  test('the demo agent’s emoji has an icon of ours', () => {
    expect(ICON_EMOJI['🧪']).toBe('flask');
    expect(isEmoji('🐢')).toBe(true);
    expect(isEmoji('AB')).toBe(false);
  });
});

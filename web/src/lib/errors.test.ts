import { beforeAll, describe, expect, test } from 'vitest';
import i18n from '../i18n';
import { ApiError } from '../api';
import { describeError, describeFailure, errorKind, fieldError } from './errors';

const t = i18n.getFixedT('en');
beforeAll(() => i18n.changeLanguage('en'));

describe('error messages', () => {
  test('a rate limit says how long to wait, from Retry-After', () => {
    expect(describeError(t, new ApiError(429, 'rate_limited', 'rate limited; retry in 12 s', undefined, 12))).toBe(
      'Too many requests. Try again in 12 s.',
    );
    expect(describeError(t, new ApiError(429, 'rate_limited', '', undefined, 600))).toBe('Too many requests. Try again in 10 min.');
  });

  test('a daily quota says when it renews', () => {
    const error = new ApiError(429, 'daily_quota_exceeded', 'daily token quota reached', undefined, 3600);
    expect(describeError(t, error)).toBe('You have used today’s quota. It renews in 60 min.');
    expect(errorKind(error)).toBe('budget');
  });

  test('a budget used up names it in the server’s words, and says when it renews in hours or days', async () => {
    const message =
      'the tokens per day budget of group "engineering" is used up: 612 tokens of 100 tokens used or held by running requests; it resets in 43200 s';
    const error = new ApiError(429, 'budget_exceeded', message, undefined, 43200);
    expect(errorKind(error)).toBe('budget');
    expect(describeError(t, error)).toBe(
      'A budget is used up: the tokens per day budget of group "engineering" is used up: 612 tokens of 100 tokens used or held by running requests. It renews in 12 h.',
    );
    // A monthly budget renews in days.
    const monthly = new ApiError(429, 'budget_exceeded', 'the cost per month budget of user "ada" is used up: 5 USD of 5 USD used or held by running requests; it resets in 1209600 s', undefined, 1209600);
    expect(describeError(t, monthly)).toBe('A budget is used up: the cost per month budget of user "ada" is used up: 5 USD of 5 USD used or held by running requests. It renews in 14 days.');
    await i18n.loadLanguages('zh-CN');
    expect(describeError(i18n.getFixedT('zh-CN'), error)).toBe(
      '预算已用完：the tokens per day budget of group "engineering" is used up: 612 tokens of 100 tokens used or held by running requests。将在 12 小时 后恢复。',
    );
    // Other limits are no budget.
    expect(errorKind(new ApiError(429, 'agent_rate_limited', 'agent "x" allows 5 requests per minute per user'))).toBe('quota');
  });

  test('a budget the server names is told in the reader’s language, amounts formatted', async () => {
    const error = new ApiError(429, 'budget_exceeded', 'the tokens per day budget of group "engineering" is used up: …', undefined, 43200);
    error.budget = {
      scope: 'group',
      name: 'engineering',
      kind: 'tokens_per_day',
      limit: 1000,
      used: 1200,
      remaining: 0,
      currency: null,
      resets_at: '2026-12-05T00:00:00Z',
    };
    expect(errorKind(error)).toBe('budget');
    expect(describeError(t, error)).toBe(
      'A budget is used up: Group “engineering”, Tokens per day: 1,200 tokens of 1,000 tokens used. It renews in 12 h.',
    );
    const mine = new ApiError(429, 'budget_exceeded', 'the cost per month budget of user "ada" is used up: …', undefined, 1209600);
    mine.budget = { scope: 'user', name: 'ada', kind: 'cost_per_month', limit: 5, used: 5.25, remaining: 0, currency: 'USD', resets_at: '2027-01-01T00:00:00Z' };
    expect(describeError(t, mine)).toBe('A budget is used up: Your own budget, Cost per month: $5.25 of $5.00 used. It renews in 14 days.');
    await i18n.loadLanguages('zh-CN');
    const zh = i18n.getFixedT('zh-CN');
    expect(describeError(zh, error)).toBe('预算已用完：用户组“engineering”，每日 token：已用 1,200 个 token，共 1,000 个 token。将在 12 小时 后恢复。');
    expect(describeError(zh, mine)).toBe('预算已用完：你自己的预算，每月费用：已用 US$5.25，共 US$5.00。将在 14 天 后恢复。');
  });

  test('too many running requests asks to wait for one to finish', () => {
    const error = new ApiError(429, 'too_many_concurrent_requests', 'at most 8 requests per user may run at once', undefined, 1);
    expect(describeError(t, error)).toBe('You have too many requests running at once. Try again when one has finished.');
  });

  test('an agent that is no longer available asks to choose another', () => {
    const error = new ApiError(422, 'invalid', 'agent_id: the conversation\'s agent "gone" is not available to you; choose another agent');
    expect(errorKind(error)).toBe('agent_missing');
    expect(describeError(t, error)).toMatch(/no longer available/);
  });

  test('a 403 is "not allowed", a lost connection is the network', () => {
    expect(errorKind(new ApiError(403, 'forbidden', 'admins only'))).toBe('forbidden');
    expect(describeError(t, new ApiError(403, 'forbidden', 'admins only'))).toBe('Not allowed: admins only');
    expect(describeError(t, ApiError.network(new TypeError('Failed to fetch')))).toMatch(/Cannot reach the server/);
  });

  test('an upload past the quota says so in the server’s words, in both languages', async () => {
    const message = 'your uploads take 1023.0 MiB of your 1.0 GiB (uploads.quota_per_user): delete some to upload this file of 5.0 MiB';
    const error = new ApiError(413, 'upload_quota_exceeded', message);
    expect(describeError(t, error)).toBe(
      `Not enough upload storage for this file: ${message}. You can delete files under Settings → Files.`,
    );
    await i18n.loadLanguages('zh-CN');
    expect(describeError(i18n.getFixedT('zh-CN'), error)).toBe(`上传空间不足：${message}。可以在“设置 → 文件”中删除文件。`);
    // Any other 413 (a file over the size limit) is the server's message as it is.
    expect(describeError(t, new ApiError(413, 'payload_too_large', 'the file is larger than the upload limit of 10.0 MiB'))).toBe(
      'the file is larger than the upload limit of 10.0 MiB',
    );
  });

  test('a failed answer says what happened upstream', () => {
    expect(describeFailure(t, { code: 'upstream_unreachable', message: 'cannot reach the upstream: connection refused' })).toMatch(
      /cannot be reached right now/,
    );
    expect(describeFailure(t, { code: 'upstream_rate_limited', message: '' })).toMatch(/limiting requests/);
    expect(describeFailure(t, { code: 'upstream_interrupted', message: "agent \"gpt\": the provider's answer broke off" })).toBe(
      'The agent’s provider broke off in the middle of its answer. What arrived is kept; try again.',
    );
    expect(describeFailure(t, { code: 'upstream_error', message: 'upstream error 500: boom' })).toBe(
      'The answer failed: upstream error 500: boom',
    );
  });
});

describe('fieldError', () => {
  const FIELDS = ['username', 'email', 'password', 'invite_code'] as const;
  const withField = (status: number, code: string, message: string, field?: string) =>
    Object.assign(new ApiError(status, code, message), { field });

  test('puts a conflict on the field the server names', () => {
    expect(fieldError(withField(409, 'conflict', 'username is taken', 'username'), FIELDS)).toEqual({ field: 'username', message: 'Username is taken' });
  });
  test('drops the "field: " the message starts with', () => {
    expect(fieldError(withField(422, 'invalid', 'invite_code: this invitation has expired', 'invite_code'), FIELDS)).toEqual({
      field: 'invite_code',
      message: 'This invitation has expired',
    });
  });
  test('leaves errors about no field (or another one) to the banner', () => {
    expect(fieldError(withField(403, 'registration_closed', 'registration is closed'), FIELDS)).toBeNull();
    expect(fieldError(withField(422, 'invalid', 'x: y', 'display_name'), FIELDS)).toBeNull();
    expect(fieldError(new Error('boom'), FIELDS)).toBeNull();
  });
});

describe('the server’s field in error bodies', () => {
  test('errorFrom reads `field`', async () => {
    const { errorFrom } = await import('../api/errors');
    const response = new Response(JSON.stringify({ error: { code: 'invalid', message: 'email: not an address', field: 'email' } }), {
      status: 422,
      headers: { 'content-type': 'application/json' },
    });
    const error = await errorFrom(response);
    expect(error.field).toBe('email');
    expect(error.code).toBe('invalid');
  });
});

import { describe, expect, it } from 'vitest';
import { safeReturnPath, ssoErrorCode, ssoStartUrl } from './sso';

describe('single sign-on links', () => {
  it('start at /api/auth/oidc/{id}/start, with return_to and invite_code when given', () => {
    expect(ssoStartUrl('corp')).toBe('/api/auth/oidc/corp/start');
    expect(ssoStartUrl('corp', { returnTo: '/c/1?x=1&y=2' })).toBe('/api/auth/oidc/corp/start?return_to=%2Fc%2F1%3Fx%3D1%26y%3D2');
    expect(ssoStartUrl('corp', { inviteCode: ' a+b/c ' })).toBe('/api/auth/oidc/corp/start?invite_code=a%2Bb%2Fc');
    expect(ssoStartUrl('my_idp-2', { returnTo: '/settings', inviteCode: 'X' })).toBe('/api/auth/oidc/my_idp-2/start?return_to=%2Fsettings&invite_code=X');
    // `/` is the server's default: not sent. An empty code neither.
    expect(ssoStartUrl('corp', { returnTo: '/', inviteCode: '  ' })).toBe('/api/auth/oidc/corp/start');
  });

  it('only return to paths on this server', () => {
    expect(safeReturnPath('/c/42?q=1#m')).toBe('/c/42?q=1#m');
    for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', 'c/1', '/a\nb', '', null, undefined, `/${'x'.repeat(600)}`]) {
      expect(safeReturnPath(bad), String(bad)).toBeNull();
      expect(ssoStartUrl('corp', { returnTo: bad })).toBe('/api/auth/oidc/corp/start');
    }
  });

  it('know the server’s failure codes', () => {
    expect(ssoErrorCode('state_unknown')).toBe('state_unknown');
    expect(ssoErrorCode('no_account')).toBe('no_account');
    expect(ssoErrorCode('constructor')).toBe('unknown');
    expect(ssoErrorCode('<script>')).toBe('unknown');
  });
});

// Share links: the choices of the share dialog, and the link's address.
import type { NewShare, Share } from '../api';

export const SHARE_EXPIRIES = ['never', '1', '7', '30'] as const;
export type ShareExpiry = (typeof SHARE_EXPIRIES)[number];

/** The request for the choices made; no `expires_in_days` means the link does not expire. */
export function newShareBody(expiry: ShareExpiry, membersOnly: boolean): NewShare {
  return { ...(expiry === 'never' ? {} : { expires_in_days: Number(expiry) }), members_only: membersOnly };
}

/** The full address to send someone: this server's origin and the link's path. */
export function shareUrl(share: Pick<Share, 'path'>, origin = window.location.origin): string {
  return `${origin}${share.path}`;
}

export type ShareStatus = 'live' | 'expired' | 'revoked';

/** The link's status as the server says it (`live`, `expired`, `revoked`); anything else reads as expired. */
export function shareStatus(share: Pick<Share, 'status'>): ShareStatus {
  return share.status === 'live' || share.status === 'revoked' ? share.status : 'expired';
}

import { useState } from 'react';
import type { Agent } from '../api';
import { canRenderEmoji, ICON_EMOJI, isEmoji } from '../lib/emoji';
import { FlaskIcon } from './icons';

const ICONS = { flask: FlaskIcon };

/**
 * An agent's avatar: its image; an icon of ours for the built-in demo's emoji (no emoji font
 * needed); another emoji when the browser can draw it; else the name's initial.
 */
export function AgentAvatar({ agent, size = 'medium' }: { agent: Agent | undefined; size?: 'small' | 'medium' | 'large' }) {
  const [broken, setBroken] = useState(false);
  const avatar = agent?.avatar?.trim();
  const isImage = !!avatar && /^(https?:|\/|data:image\/)/.test(avatar);
  const initial = (agent?.name ?? '?').slice(0, 1).toUpperCase();
  const icon = avatar ? ICON_EMOJI[avatar] : undefined;
  let content: React.ReactNode = initial;
  let kind = 'initial';
  if (isImage && !broken) {
    content = <img src={avatar} alt="" onError={() => setBroken(true)} />;
    kind = 'image';
  } else if (icon) {
    const Icon = ICONS[icon];
    content = <Icon className="avatar-icon" />;
    kind = 'icon';
  } else if (avatar && !isImage && (!isEmoji(avatar) || canRenderEmoji(avatar))) {
    content = avatar;
    kind = 'text';
  }
  return (
    <span className={`avatar agent ${size}`} aria-hidden="true" data-avatar={kind}>
      {content}
    </span>
  );
}

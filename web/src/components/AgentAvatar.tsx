import { useState } from 'react';
import type { Agent } from '../api';

/** An agent's emoji or image, else its initial. */
export function AgentAvatar({ agent, size = 'medium' }: { agent: Agent | undefined; size?: 'small' | 'medium' | 'large' }) {
  const [broken, setBroken] = useState(false);
  const avatar = agent?.avatar?.trim();
  const isImage = !!avatar && /^(https?:|\/|data:image\/)/.test(avatar);
  return (
    <span className={`avatar agent ${size}`} aria-hidden="true">
      {isImage && !broken ? (
        <img src={avatar} alt="" onError={() => setBroken(true)} />
      ) : avatar && !isImage ? (
        avatar
      ) : (
        (agent?.name ?? '?').slice(0, 1).toUpperCase()
      )}
    </span>
  );
}

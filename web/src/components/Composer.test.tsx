import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { ApiError } from '../api';
import i18n from '../i18n';

const api = vi.hoisted(() => ({ upload: vi.fn() }));
vi.mock('../api', async (original) => {
  const actual = await original<typeof import('../api')>();
  return { ...actual, uploadsApi: { ...actual.uploadsApi, upload: api.upload } };
});

const { Composer } = await import('./Composer');

beforeAll(() => i18n.changeLanguage('en'));
beforeEach(() => vi.resetAllMocks());

const composer = () =>
  render(<Composer draftKey="test" placeholder="Message" streaming={false} onSend={() => true} onStop={() => {}} acceptsImages agentName="Demo" />);

describe('attaching a file', () => {
  it('shows the server’s message in full when the upload quota is used up, until the file is removed', async () => {
    const message = 'your uploads take 1023.0 MiB of your 1.0 GiB (uploads.quota_per_user): delete some to upload this file of 5.0 MiB';
    api.upload.mockRejectedValue(new ApiError(413, 'upload_quota_exceeded', message));
    composer();
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['hello'], 'notes.txt', { type: 'text/plain' })] } });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(`notes.txt: Not enough upload storage for this file: ${message}. You can delete files under Settings → Files.`);
    expect(screen.getByTestId('pending-files').textContent).toContain(message);
    fireEvent.click(screen.getByRole('button', { name: 'Remove notes.txt' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('pending-files')).toBeNull();
  });
});

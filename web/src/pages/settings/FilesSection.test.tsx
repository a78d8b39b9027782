import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ApiError, type Upload, type UploadUsage } from '../../api';
import i18n from '../../i18n';

const api = vi.hoisted(() => ({ listUploads: vi.fn(), uploadUsage: vi.fn(), deleteUpload: vi.fn() }));
vi.mock('../../api', async (original) => {
  const actual = await original<typeof import('../../api')>();
  return {
    ...actual,
    uploadsApi: { ...actual.uploadsApi, listUploads: api.listUploads, uploadUsage: api.uploadUsage, deleteUpload: api.deleteUpload },
  };
});

const { FilesSection } = await import('./FilesSection');

const GIB = 1024 ** 3;
const file = (id: string, name: string, size: number, kind: 'image' | 'text' = 'text'): Upload => ({
  id,
  name,
  size,
  kind,
  mime: kind === 'image' ? 'image/png' : 'text/plain',
  created_at: '2026-12-02T10:00:00Z',
});
const usage = (extra: Partial<UploadUsage> = {}): UploadUsage => ({
  files: 3,
  used_bytes: 8192,
  quota_bytes: GIB,
  retention_seconds: null,
  ...extra,
});

beforeAll(() => i18n.changeLanguage('en'));
afterAll(() => i18n.changeLanguage('en'));
beforeEach(() => {
  vi.resetAllMocks();
  api.listUploads.mockResolvedValue({
    items: [file('u1', 'photo.png', 4096, 'image'), file('u2', 'notes.md', 2048), file('u3', 'data.csv', 2048)],
    next_cursor: null,
  });
  api.uploadUsage.mockResolvedValue(usage());
});

describe('the Files section', () => {
  it('shows the usage against the quota, with a meter, and lists the uploads', async () => {
    render(<FilesSection />);
    expect((await screen.findByTestId('files-usage')).textContent).toBe('3 files · 8.0 KB of 1.0 GB');
    const meter = screen.getByRole('meter', { name: 'Upload storage used' });
    expect(meter.getAttribute('aria-valuemin')).toBe('0');
    expect(meter.getAttribute('aria-valuemax')).toBe('100');
    expect(meter.getAttribute('aria-valuenow')).toBe('0');
    expect(meter.getAttribute('aria-valuetext')).toBe('8.0 KB of 1.0 GB (0%)');

    const rows = await screen.findAllByTestId('file-row');
    expect(rows).toHaveLength(3);
    const cells = [...rows[0]!.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(0, 3)).toEqual(['photo.png', 'Image', '4.0 KB']);
    expect(cells[3]).toMatch(/2026/);
    expect(rows[1]!.textContent).toContain('Text');
    expect(api.listUploads).toHaveBeenCalledWith(undefined, 50);
    expect(screen.queryByTestId('files-load-more')).toBeNull();
    expect(screen.queryByTestId('files-empty')).toBeNull();
  });

  it('fills the meter with the share used', async () => {
    api.uploadUsage.mockResolvedValue(usage({ files: 1, used_bytes: GIB / 4 }));
    render(<FilesSection />);
    const meter = await screen.findByRole('meter');
    expect(meter.getAttribute('aria-valuenow')).toBe('25');
    expect(meter.getAttribute('aria-valuetext')).toBe('256.0 MB of 1.0 GB (25%)');
    expect((meter.firstElementChild as HTMLElement).style.width).toBe('25%');
    expect(screen.getByTestId('files-usage').textContent).toBe('1 file · 256.0 MB of 1.0 GB');
  });

  it('says when there are no files', async () => {
    api.listUploads.mockResolvedValue({ items: [], next_cursor: null });
    api.uploadUsage.mockResolvedValue(usage({ files: 0, used_bytes: 0 }));
    render(<FilesSection />);
    expect((await screen.findByTestId('files-empty')).textContent).toBe('You have no uploaded files.');
    expect(screen.queryByTestId('files-table')).toBeNull();
  });

  it('mentions the retention only when the server deletes old files', async () => {
    const { unmount } = render(<FilesSection />);
    await screen.findByTestId('files-usage');
    expect(screen.queryByTestId('files-retention')).toBeNull();
    unmount();

    api.uploadUsage.mockResolvedValue(usage({ retention_seconds: 30 * 86_400 }));
    const second = render(<FilesSection />);
    expect((await screen.findByTestId('files-retention')).textContent).toBe('Files are deleted after 30 days.');
    second.unmount();

    api.uploadUsage.mockResolvedValue(usage({ retention_seconds: 6 * 3_600 }));
    render(<FilesSection />);
    expect((await screen.findByTestId('files-retention')).textContent).toBe('Files are deleted after 6 hours.');
  });

  it('asks before deleting, calls DELETE, then lists the files and the usage afresh', async () => {
    api.deleteUpload.mockResolvedValue(undefined);
    render(<FilesSection />);
    const rows = await screen.findAllByTestId('file-row');
    fireEvent.click(within(rows[1]!).getByRole('button', { name: 'Delete notes.md' }));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('“notes.md” will be deleted.');
    expect(api.deleteUpload).not.toHaveBeenCalled();

    api.listUploads.mockResolvedValue({ items: [file('u1', 'photo.png', 4096, 'image'), file('u3', 'data.csv', 2048)], next_cursor: null });
    api.uploadUsage.mockResolvedValue(usage({ files: 2, used_bytes: 6144 }));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(screen.getByTestId('files-usage').textContent).toBe('2 files · 6.0 KB of 1.0 GB'));
    expect(api.deleteUpload).toHaveBeenCalledWith('u2');
    expect(screen.getAllByTestId('file-row')).toHaveLength(2);
    expect(screen.queryByText('notes.md')).toBeNull();
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(api.listUploads).toHaveBeenCalledTimes(2);
    expect(api.uploadUsage).toHaveBeenCalledTimes(2);
  });

  it('deletes nothing when cancelled', async () => {
    render(<FilesSection />);
    const rows = await screen.findAllByTestId('file-row');
    fireEvent.click(within(rows[0]!).getByTestId('file-delete'));
    fireEvent.click(screen.getByText('Cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(api.deleteUpload).not.toHaveBeenCalled();
    expect(screen.getAllByTestId('file-row')).toHaveLength(3);
  });

  it('shows why a delete failed, and still lists the files afresh', async () => {
    api.deleteUpload.mockRejectedValue(new ApiError(404, 'not_found', 'not found'));
    render(<FilesSection />);
    const rows = await screen.findAllByTestId('file-row');
    fireEvent.click(within(rows[0]!).getByTestId('file-delete'));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    expect((await screen.findByRole('alert')).textContent).toBe('not found');
    await waitFor(() => expect(api.listUploads).toHaveBeenCalledTimes(2));
  });

  it('loads the next page with the cursor', async () => {
    api.listUploads
      .mockResolvedValueOnce({ items: [file('u1', 'photo.png', 4096, 'image')], next_cursor: 'c2' })
      .mockResolvedValueOnce({ items: [file('u2', 'notes.md', 2048)], next_cursor: null });
    render(<FilesSection />);
    fireEvent.click(await screen.findByTestId('files-load-more'));
    await waitFor(() => expect(screen.getAllByTestId('file-row')).toHaveLength(2));
    expect(api.listUploads).toHaveBeenLastCalledWith('c2', 50);
    expect(screen.queryByTestId('files-load-more')).toBeNull();
  });

  it('speaks Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    api.uploadUsage.mockResolvedValue(usage({ retention_seconds: 7 * 86_400 }));
    render(<FilesSection />);
    expect(await screen.findByRole('heading', { name: '文件' })).toBeTruthy();
    expect((await screen.findByTestId('files-usage')).textContent).toBe('3 个文件 · 已用 8.0 KB，共 1.0 GB');
    expect(screen.getByTestId('files-retention').textContent).toBe('文件会在上传 7 天后删除。');
    expect((await screen.findAllByRole('button', { name: /^删除 / })).length).toBe(3);
    await i18n.changeLanguage('en');
  });
});

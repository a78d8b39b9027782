import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/react';
import { TableHead } from './TableHead';

describe('TableHead', () => {
  it('heads each column, a column of numbers set right, and names the buttons’ column for screen readers', () => {
    const { container } = render(
      <table>
        <TableHead columns={['Model', { label: 'Input', num: true }]} actions="Actions" />
      </table>,
    );
    const cells = [...container.querySelectorAll('thead th')];
    expect(cells.map((th) => [th.getAttribute('scope'), th.className, th.textContent])).toEqual([
      ['col', '', 'Model'],
      ['col', 'num', 'Input'],
      ['col', '', 'Actions'],
    ]);
    expect(cells[2]!.querySelector('span.visually-hidden')!.textContent).toBe('Actions');
  });
});

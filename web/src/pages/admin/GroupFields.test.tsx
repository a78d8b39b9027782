import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { GroupDescriptionField, GroupNameField } from './GroupFields';

describe('the group fields', () => {
  it('hold the server’s limits and pass the text on', () => {
    const onName = vi.fn();
    render(
      <>
        <GroupNameField label="Name" value="" onChange={onName} hint="Unique" testId="name" />
        <GroupDescriptionField label="Description" value="" onChange={() => {}} error="Too long" testId="description" />
      </>,
    );
    const name = screen.getByLabelText('Name') as HTMLInputElement;
    expect([name.required, name.maxLength, name.autocomplete]).toEqual([true, 64, 'off']);
    expect(name.getAttribute('aria-describedby')).toBe(`${name.id}-hint`);
    const description = screen.getByLabelText('Description') as HTMLInputElement;
    expect([description.required, description.maxLength]).toEqual([false, 500]);
    expect(description.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(name, { target: { value: 'Sales' } });
    expect(onName).toHaveBeenCalledWith('Sales');
  });
});

import { createRef } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { InputField, TextAreaField } from './FormField';
import { PresetContentField, PresetTitleField } from './PresetFields';

describe('InputField', () => {
  it('ties the label, the hint and the error to the input', () => {
    render(<InputField label="Name" hint="Letters only" error="Taken" value="x" onChange={() => {}} required fieldClass="wide" testId="name" />);
    const input = screen.getByLabelText('Name') as HTMLInputElement;
    expect(input.dataset.testid).toBe('name');
    expect(input.required).toBe(true);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe(`${input.id}-hint ${input.id}-error`);
    expect(document.getElementById(`${input.id}-hint`)!.textContent).toBe('Letters only');
    const error = screen.getByTestId('field-error');
    expect(error.id).toBe(`${input.id}-error`);
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Taken');
    expect(input.parentElement!.className).toBe('field wide invalid');
  });

  it('without a hint or an error: no description, not invalid', () => {
    const ref = createRef<HTMLInputElement>();
    render(<InputField ref={ref} label="Name" defaultValue="" testId="name" />);
    const input = screen.getByTestId('name');
    expect(ref.current).toBe(input);
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(input.hasAttribute('aria-describedby')).toBe(false);
    expect(input.parentElement!.className).toBe('field');
    expect(screen.queryByTestId('field-error')).toBeNull();
  });
});

describe('TextAreaField', () => {
  it('is a labelled textarea with its error', () => {
    render(<TextAreaField label="Text" rows={4} defaultValue="" error="Too long" testId="text" />);
    const area = screen.getByLabelText('Text');
    expect(area.tagName).toBe('TEXTAREA');
    expect(area.getAttribute('rows')).toBe('4');
    expect(area.getAttribute('aria-describedby')).toBe(`${area.id}-error`);
    expect(screen.getByTestId('field-error').textContent).toBe('Too long');
  });
});

describe('the preset fields', () => {
  it('hold the server’s limits and pass the text on', () => {
    const onTitle = vi.fn();
    render(
      <>
        <PresetTitleField label="Title" value="" onChange={onTitle} testId="title" />
        <PresetContentField label="Text" value="" onChange={() => {}} testId="content" />
      </>,
    );
    const title = screen.getByTestId('title') as HTMLInputElement;
    expect([title.required, title.maxLength, title.autocomplete]).toEqual([true, 100, 'off']);
    const content = screen.getByTestId('content') as HTMLTextAreaElement;
    expect([content.required, content.maxLength, content.rows]).toEqual([true, 8000, 4]);
    fireEvent.change(title, { target: { value: 'Weekly' } });
    expect(onTitle).toHaveBeenCalledWith('Weekly');
  });
});

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import i18n from '../i18n';
import type { InteractiveField } from '../api';
import { AppField, AppFieldSelect } from './AppField';

beforeAll(() => i18n.changeLanguage('en'));

const field = (extra: Partial<InteractiveField>): InteractiveField => ({ name: 'plan', label: 'Plan', kind: 'select', required: false, options: [], ...extra });

describe('AppField', () => {
  it('labels the control, named by the label or else the name, marked when required', () => {
    render(
      <>
        <AppField id="a" field={field({ required: true })}>
          <input id="a" />
        </AppField>
        <AppField id="b" field={field({ name: 'lang', label: '' })}>
          <input id="b" />
        </AppField>
      </>,
    );
    expect(screen.getByLabelText('Plan (required)').id).toBe('a');
    expect(screen.getByLabelText('lang').id).toBe('b');
  });

  it('offers the options after an empty choice and passes the value picked', () => {
    const onChange = vi.fn();
    const options = [{ label: 'Basic', value: 'basic' }, { label: 'Pro', value: 'pro' }];
    render(<AppFieldSelect id="s" field={field({ options, required: true })} value="" onChange={onChange} />);
    const select = document.getElementById('s') as HTMLSelectElement;
    expect(select.required).toBe(true);
    expect([...select.options].map((o) => [o.value, o.text])).toEqual([['', ''], ['basic', 'Basic'], ['pro', 'Pro']]);
    fireEvent.change(select, { target: { value: 'pro' } });
    expect(onChange).toHaveBeenCalledWith('pro');
  });
});

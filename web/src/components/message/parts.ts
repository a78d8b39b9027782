// The parts of a message, by type: what each of the message's views shows.
import type { Message, Part } from '../../api';

export type PartOf<T extends Part['type']> = Extract<Part, { type: T }>;

/** The message's parts of one type, in order. */
export function partsOf<T extends Part['type']>(message: Pick<Message, 'content'>, type: T): PartOf<T>[] {
  return message.content.filter((p): p is PartOf<T> => p.type === type);
}

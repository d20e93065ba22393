import { escapeControl } from '../../../terminal-text.js';

/** SDK text in a message is cut to this many characters. */
const MAX_CHARS = 300;

/** An SDK error as one inert line: `Name: first line of the message`. */
export function sdkErrorText(err: unknown): string {
  const error = err as { name?: unknown; code?: unknown; message?: unknown };
  const name = typeof error?.name === 'string' && error.name !== 'Error' ? error.name : undefined;
  const message =
    typeof error?.message === 'string' ? error.message.trim().split('\n')[0] : String(err);
  const text = name && !message.startsWith(name) ? `${name}: ${message}` : message;
  return escapeControl(text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}...` : text);
}

/** The error's name or code (`AccessDeniedException`, `ECONNREFUSED`, ...). */
export function sdkErrorName(err: unknown): string {
  const error = err as { name?: unknown; code?: unknown };
  if (typeof error?.code === 'string') return error.code;
  return typeof error?.name === 'string' ? error.name : '';
}

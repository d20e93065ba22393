/**
 * A mistake the user can fix (bad flag, wrong password, missing file). The CLI prints its
 * message without a stack trace and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

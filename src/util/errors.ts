/** An error whose message is a sentence the user can act on; the CLI prints it without a stack. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

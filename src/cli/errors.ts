/** A CLI failure with a message for the user and an exit code (2: usage or setup problem). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

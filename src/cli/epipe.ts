/**
 * `censorscope … | head` closes our stdout early. Unix tools die quietly of SIGPIPE then; Node
 * ignores SIGPIPE and reports EPIPE as an error event that would crash with a stack trace, so
 * end the process the quiet way instead, with status 0 (the reader had all it wanted).
 */
export function exitQuietlyOnEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

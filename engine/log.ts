// Logs go to stderr only: stdout belongs to command output and to the MCP stdio protocol.
const quiet = () => process.env.VISUALREF_QUIET === '1';

export const log = {
  info(message: string): void {
    if (!quiet()) process.stderr.write(`${message}\n`);
  },
  warn(message: string): void {
    process.stderr.write(`warning: ${message}\n`);
  },
  error(message: string): void {
    process.stderr.write(`error: ${message}\n`);
  },
};

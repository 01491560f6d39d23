// The command dispatcher: each command lives in its own module, loaded only when it runs.
import { closestName } from './did-you-mean.ts';
import { UsageError } from './usage-error.ts';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

// Name → one-line summary; the module is cli/commands/<name>.ts and exports `command`.
const commands: Record<string, string> = {
  index: 'index a folder of images into the library',
  search: 'search the library with text or an image',
  status: 'show what the library holds',
  models: 'list the model registry',
  world: 'render the synthetic scene world',
  eval: 'measure retrieval and feedback on a captioned collection',
  caption: 'caption an image or a box of it',
  'caption-all': 'caption the whole collection in the background',
  mcp: 'run the MCP server over stdio',
  serve: 'run the web app and the MCP server over HTTP',
  chat: 'one chat turn with an agent (deterministic, openai, llama)',
  demo: 'prepare the built-in demo library and serve it',
};

function help(): string {
  return [
    'usage: visualref <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, summary]) => `  ${name.padEnd(12)} ${summary}`),
    'run `visualref <command> --help` for the options of one command',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // Asked for, help is the output (`visualref --help | less`); without a command it is an error.
    (name ? process.stdout : process.stderr).write(help() + '\n');
    return name ? 0 : 2;
  }
  if (!Object.hasOwn(commands, name)) {
    const near = closestName(name, Object.keys(commands));
    process.stderr.write(`visualref: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ''}\n${help()}\n`);
    return 2;
  }
  try {
    const { command } = (await import(`./commands/${name}.ts`)) as { command: Command };
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`visualref ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`visualref ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.VISUALREF_DEBUG) console.error(err);
    return 1;
  }
}

// visualref mcp: the MCP server over stdio. stdout is reserved for protocol messages before anything
// heavy (encoders, native modules) is loaded, so no stray print can corrupt the stream.
import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { reserveStdoutForProtocol } from '../../mcp-server/stdout-guard.ts';

const flags = z.object({
  data: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  provider: z.enum(['cpu', 'webgpu', 'cuda']).optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref mcp [--data DIR] [--model MODEL] [--provider cpu|cuda|webgpu]

Runs the MCP server over stdio (tools search, caption-region, refine-query; resources image://{id},
visualref://status). Only protocol messages are written to stdout; logs go to stderr.`;

export const command: Command = {
  summary: 'run the MCP server over stdio',
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { data: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      flags,
      false,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const protocolOut = reserveStdoutForProtocol();
    const { openToolContext } = await import('../../tools/context.ts');
    const { runStdioServer } = await import('../../mcp-server/stdio.ts');
    const ctx = await openToolContext({ dataDir: values.data, model: values.model, provider: values.provider });
    try {
      await runStdioServer(ctx, process.stdin, protocolOut);
    } finally {
      await ctx.close();
    }
    return 0;
  },
};

// `visualref models [--json]`: the model registry and which model folders are on disk.
import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { listModels } from '../../engine/models/registry.ts';

const flagsSchema = z.object({ json: z.boolean().optional(), help: z.boolean().optional() });

const usage = `usage: visualref models [--json]

Lists the models of configs/models.yaml: name, family, embedding size, whether the folder is
present, and for absent ones the command that gets them.
  --json   print the list as JSON`;

export const command: Command = {
  summary: 'list the model registry',
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, flagsSchema, false);
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const models = listModels();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
      return 0;
    }
    const rows = models.map((m) => [
      `${m.name}${m.isDefault ? ' *' : ''}`,
      m.family,
      String(m.dim),
      m.present ? 'yes' : 'no',
      m.path,
    ]);
    const header = ['NAME', 'FAMILY', 'DIM', 'PRESENT', 'FOLDER'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
    const out = [line(header), ...rows.map(line), '', '* default model'];
    const missing = models.filter((m) => !m.present);
    if (missing.length > 0) {
      out.push('', 'to get a missing model:');
      for (const m of missing) out.push(`  ${m.name}: ${m.download}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

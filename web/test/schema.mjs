// The API's schema as the server serves it: the root file and every area's part (schema.graphqls
// and schema/*.graphqls at the repository's top), read in one text.
import { readFileSync, readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const parts = readdirSync(new URL('schema/', root))
  .filter((f) => f.endsWith('.graphqls'))
  .sort()
  .map((f) => new URL(`schema/${f}`, root));

export const schemaText = [new URL('schema.graphqls', root), ...parts]
  .map((u) => readFileSync(u, 'utf8'))
  .join('\n');

// Writes harness.config.schema.json from the zod schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/config/schema.js';

const target = new URL('../harness.config.schema.json', import.meta.url);
writeFileSync(target, JSON.stringify(configJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target.pathname}`);

import { config } from 'zod';

// Imported before any schema is built (by schema-values.ts, which the schemas import first): zod
// reads the setting as each object schema is made. Without it, zod writes and compiles a parser
// per object schema (`new Function`) at its first parse, which pays off over many parses; a run
// of matrixbake parses one file once, and the code generation cost it about 5 ms of `compile`.
config({ jitless: true });

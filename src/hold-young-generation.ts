// Imported first by main.ts, so that it runs before the rest of gatehouse loads: node's built-ins
// first (src/startup-builtins.ts), then the V8 flag that holds the young generation (src/heap.ts).
import { holdYoungGenerationAtStart } from './heap';
import { loadStartupBuiltins } from './startup-builtins';

loadStartupBuiltins();
holdYoungGenerationAtStart();

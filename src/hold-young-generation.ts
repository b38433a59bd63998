// Imported first by main.ts, so that it runs before the rest of gatehouse loads (src/heap.ts).
import { holdYoungGenerationAtStart } from './heap';

holdYoungGenerationAtStart();

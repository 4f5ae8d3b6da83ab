// The page's entry as a user writes it for Vite, webpack, Rollup, Node and Deno: `import 'sora'`.
import * as sora from 'sora';
import { trainAndPredict } from './train.js';

trainAndPredict(sora);

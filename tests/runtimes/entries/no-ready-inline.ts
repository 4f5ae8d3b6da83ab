/** The no-ready page script on sora/wasm-inline: the first op starts wasm from the inlined build. */
import * as tf from '../../../src/wasm-inline.js';
import { noReadyProgram } from './no-ready-program.js';

noReadyProgram(tf, { webgpu: false });

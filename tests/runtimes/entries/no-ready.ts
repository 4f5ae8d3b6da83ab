/** The no-ready page script on sora's main entry: the .wasm is only fetched, so reference starts first. */
import * as tf from '../../../src/index.js';
import { noReadyProgram } from './no-ready-program.js';

noReadyProgram(tf, { webgpu: new URLSearchParams(location.search).has('webgpu') });

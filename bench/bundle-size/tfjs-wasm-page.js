// The same page on TF.js's wasm backend, importing only what it needs: core, layers, wasm.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { trainAndPredictTfjs } from './tfjs-train.js';

trainAndPredictTfjs(tf, tfl, 'wasm');

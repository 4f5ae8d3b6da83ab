// bench/bundle-size.mjs: the page of tests/package/app/train.js written with TF.js (its
// default package: cpu and webgl backends), for the download-size comparison.
import * as tf from '@tensorflow/tfjs';
import { trainAndPredictTfjs } from './tfjs-train.js';

trainAndPredictTfjs(tf, tf, 'webgl');

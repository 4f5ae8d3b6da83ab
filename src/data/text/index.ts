/** sora.text: Keras's text preprocessing (keras.preprocessing.text), which TF.js does not have. */
export { Tokenizer, textToWordSequence, tokenizerFromJson, DEFAULT_FILTERS } from './tokenizer.js';
export type { TokenizerArgs, TextToWordSequenceArgs, MatrixMode, TokenizerJSON } from './tokenizer.js';

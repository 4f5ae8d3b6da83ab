/** sora.sequence: Keras's sequence preprocessing (keras.utils.pad_sequences), which TF.js does not have. */
export { padSequences } from './pad-sequences.js';
export type { PadSequencesArgs, PadStep, Sequences } from './pad-sequences.js';

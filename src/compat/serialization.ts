/** tf.serialization: registerClass for custom layers, as TF.js has it. */
export { registerClass } from '../layers/serialization.js';
export type { SerializableClass } from '../layers/serialization.js';

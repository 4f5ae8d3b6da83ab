/** tf.serialization: registerClass for custom layers, as TF.js has it. */
export { registerClass } from './serialization.js';
export type { SerializableClass } from './serialization.js';

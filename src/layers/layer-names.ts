/** Layer names as TF.js makes them when a layer is given none. */

const uidCounts = new Map<string, number>();
/** TF.js names: 'dense_Dense1', 'my_layer_MyLayer1'. */
export function uniqueName(className: string, snake = true): string {
  const count = (uidCounts.get(className) ?? 0) + 1;
  uidCounts.set(className, count);
  if (!snake) return `${className}${count}`;
  // TF.js's toSnakeCase: 'Conv2D' -> 'conv2d', 'MaxPooling2D' -> 'max_pooling2d', 'PReLU' -> 'p_re_lu'.
  const snakeName = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return `${snakeName}_${className}${count}`;
}

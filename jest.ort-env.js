// onnxruntime-common checks tensors with `instanceof Float32Array`; jest's vm context has its own
// typed-array constructors, so share the host realm's (microsoft/onnxruntime#16622).
const { TestEnvironment } = require('jest-environment-node');
const SHARED = ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
module.exports = class OrtNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) if (globalThis[name]) this.global[name] = globalThis[name];
  }
};

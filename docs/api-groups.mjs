/**
 * Where each public name is listed in docs/api: the areas and sub-areas of TF.js's API
 * reference (js.tensorflow.org/api/latest), in its order, one page per area. Every public name
 * (docs/api-model.mjs) must be here exactly once: tests/docs.test.ts fails on a new export that
 * is not, on a name listed twice and on a name that is not public. Names of namespace members
 * are qualified (`layers.dense`, `io.browserFiles`). Areas of TF.js's reference that sora has
 * nothing in (Visualization) are left out; sora's additions sit in the nearest area.
 */
export const AREAS = [
  { page: 'tensors.md', title: 'Tensors', intro: 'Creating tensors, the tensor classes, and reshaping, slicing, joining and random tensors.', groups: {
    Creation: 'tensor scalar tensor1d tensor2d tensor3d tensor4d tensor5d tensor6d buffer clone complex real imag diag eye fill linspace oneHot ones onesLike range variable zeros zerosLike meshgrid TensorLike',
    Classes: 'Tensor Variable TensorBuffer Shape NestedArray DType Rank',
    Transformations: 'batchToSpaceND broadcastArgs broadcastTo cast depthToSpace ensureShape expandDims mirrorPad pad pad1d pad2d pad3d pad4d reshape spaceToBatchND squeeze',
    'Slicing and Joining': 'booleanMaskAsync concat concat1d concat2d concat3d concat4d gather reverse reverse1d reverse2d reverse3d reverse4d slice slice1d slice2d slice3d slice4d split stack tile unstack',
    Matrices: 'einsum',
    Random: 'multinomial rand randomGamma randomNormal randomStandardNormal randomUniform randomUniformInt truncatedNormal',
  } },
  { page: 'models.md', title: 'Models', intro: 'Sequential and functional models: building, compiling, training, evaluating, predicting, saving and loading; converted TensorFlow graph models for inference.', groups: {
    Creation: 'sequential model',
    Inputs: 'input',
    Loading: 'loadLayersModel loadGraphModel loadGraphModelSync models models.modelFromJSON',
    Management: 'io.copyModel io.listModels io.moveModel io.removeModel',
    Serialization: 'serialization serialization.registerClass serialization.SerializableClass',
    Classes: 'LayersModel Sequential Functional SymbolicTensor ModelArgs ContainerArgs CompileArgs FitArgs FitDatasetArgs YieldEveryOptions',
    'Graph Models': 'GraphModel GraphModelSource TensorInfo NamedTensorsMap ModelPredictConfig SaveConfig',
    'Op Registry': 'registerOp deregisterOp getRegisteredOp CustomOpNode OpExecutor RegisteredOp',
  } },
  { page: 'layers.md', title: 'Layers', intro: 'sora.layers: the layer factories under TF.js\'s names and config objects, and the Layer class to subclass.', groups: {
    Basic: 'layers layers.dense layers.activation layers.dropout layers.embedding layers.flatten layers.permute layers.repeatVector layers.reshape Dense Activation Dropout Flatten',
    Convolutional: 'layers.conv1d layers.conv2d layers.conv2dTranspose layers.conv3d layers.conv3dTranspose layers.cropping2D layers.depthwiseConv2d layers.separableConv2d layers.upSampling2d',
    'Convolutional Recurrent': 'layers.convLstm2d layers.convLstm2dCell',
    Merge: 'layers.add layers.average layers.concatenate layers.dot layers.maximum layers.minimum layers.multiply',
    'Advanced Activation': 'layers.elu layers.leakyReLU layers.prelu layers.reLU layers.softmax layers.thresholdedReLU',
    Noise: 'layers.alphaDropout layers.gaussianDropout layers.gaussianNoise layers.spatialDropout1d',
    Normalization: 'layers.batchNormalization layers.layerNormalization',
    Pooling: 'layers.averagePooling1d layers.averagePooling2d layers.averagePooling3d layers.avgPool1d layers.avgPool2d layers.avgPool3d layers.avgPooling1d layers.avgPooling2d layers.avgPooling3d layers.globalAveragePooling1d layers.globalAveragePooling2d layers.globalMaxPooling1d layers.globalMaxPooling2d layers.maxPool1d layers.maxPool2d layers.maxPool3d layers.maxPooling1d layers.maxPooling2d layers.maxPooling3d',
    Mask: 'layers.masking',
    Recurrent: 'layers.gru layers.gruCell layers.lstm layers.lstmCell layers.rnn layers.simpleRNN layers.simpleRNNCell layers.stackedRNNCells layers.RNN layers.RNNCell RNN',
    Wrapper: 'layers.bidirectional layers.timeDistributed',
    Padding: 'layers.zeroPadding2d',
    Preprocessing: 'layers.categoryEncoding layers.centerCrop layers.randomWidth layers.rescaling layers.resizing',
    Inputs: 'layers.input layers.inputLayer InputLayer',
    Classes: 'Layer layers.Layer LayerArgs Kwargs LayerVariable InputSpec InputSpecArgs',
  } },
  { page: 'operations.md', title: 'Operations', intro: 'The differentiable ops under TF.js\'s names; most are also chainable tensor methods (x.add(y)).', groups: {
    Arithmetic: 'add addN div divNoNan floorDiv maximum minimum mod mul pow squaredDifference sub',
    'Basic math': 'abs acos acosh asin asinh atan atan2 atanh ceil clipByValue cos cosh elu erf exp expm1 floor isFinite isInf isNaN leakyRelu log log1p logSigmoid neg prelu reciprocal relu relu6 round rsqrt selu sigmoid sign sin sinh softplus sqrt square step tan tanh',
    Matrices: 'dot euclideanNorm matMul norm outerProduct transpose',
    Convolution: 'conv1d conv2d conv2dTranspose conv3d conv3dTranspose depthwiseConv2d dilation2d separableConv2d avgPool avgPool3d maxPool maxPool3d maxPoolWithArgmax pool',
    Fused: 'fused fused.conv2d fused.depthwiseConv2d fused.matMul',
    Reduction: 'all any argMax argMin bincount denseBincount logSumExp max mean min prod sum',
    Normalization: 'batchNorm batchNorm2d batchNorm3d batchNorm4d localResponseNormalization logSoftmax moments softmax',
    Images: 'image image.cropAndResize image.flipLeftRight image.grayscaleToRGB image.nonMaxSuppression image.nonMaxSuppressionAsync image.nonMaxSuppressionPadded image.nonMaxSuppressionPaddedAsync image.nonMaxSuppressionWithScore image.nonMaxSuppressionWithScoreAsync image.resizeBilinear image.resizeNearestNeighbor image.rgbToGrayscale image.rotateWithOffset image.threshold image.transform',
    Logical: 'bitwiseAnd equal greater greaterEqual less lessEqual logicalAnd logicalNot logicalOr logicalXor notEqual where whereAsync',
    Evaluation: 'math math.confusionMatrix inTopKAsync lowerBound searchSorted setdiff1dAsync topk unique upperBound',
    'Slicing and Joining': 'gatherND scatterND stridedSlice tensorScatterUpdate',
    Segment: 'unsortedSegmentSum',
    'Moving Average': 'movingAverage',
    RNN: 'basicLSTMCell multiRNNCell LSTMCellFunc',
    Signal: 'signal signal.frame signal.hammingWindow signal.hannWindow signal.stft signal.linearToMelWeightMatrix signal.mfccsFromLogMelSpectrograms cosineWindow enclosingPowerOfTwo',
    'Linear Algebra': 'linalg linalg.bandPart linalg.gramSchmidt linalg.qr',
    Sparse: 'sparse sparse.sparseFillEmptyRows sparse.sparseReshape sparse.sparseSegmentMean sparse.sparseSegmentSum sparseToDense',
    Ragged: 'raggedGather raggedRange raggedTensorToTensor',
    Spectral: 'fft ifft irfft rfft spectral spectral.fft spectral.ifft spectral.irfft spectral.rfft',
    String: 'string string.staticRegexReplace string.stringNGrams string.stringSplit string.stringToHashBucketFast string.StringNGramsResult string.StringSplitResult',
    Dropout: 'dropout',
    Scan: 'cumprod cumsum',
  } },
  { page: 'training.md', title: 'Training', intro: 'Gradients, the optimizers of sora.train and the losses of sora.losses.', groups: {
    Gradients: 'customGrad grad grads valueAndGrad valueAndGrads variableGrads',
    Optimizers: 'train train.sgd train.momentum train.adam train.rmsprop train.adagrad train.adadelta train.adamax SGD Momentum Adam RMSProp Adagrad Adadelta Adamax SGDOptimizer MomentumOptimizer AdamOptimizer RMSPropOptimizer AdagradOptimizer AdadeltaOptimizer AdamaxOptimizer OptimizerConstructors',
    Losses: 'losses losses.absoluteDifference losses.binaryCrossentropy losses.categoricalCrossentropy losses.computeWeightedLoss losses.cosineDistance losses.hingeLoss losses.huberLoss losses.logLoss losses.meanSquaredError losses.sigmoidCrossEntropy losses.softmaxCrossEntropy losses.sparseCategoricalCrossentropy Reduction',
    Classes: 'Optimizer NamedTensor',
  } },
  { page: 'performance.md', title: 'Performance', intro: 'Memory (tidy, dispose, memory), timing and profiling.', groups: {
    Memory: 'tidy dispose keep memory MemoryInfo disposeVariables',
    Timing: 'time TimingInfo nextFrame',
    Profile: 'profile ProfileInfo KernelInfo',
  } },
  { page: 'environment.md', title: 'Environment', intro: 'What runs here, the flags and the debug and production modes.', groups: {
    Environment: 'env Environment ENV engine enableDebugMode enableProdMode deprecationWarn disableDeprecationWarnings device_util device_util.isBrowser device_util.isMobile device_util.mockIsMobile',
  } },
  { page: 'constraints.md', title: 'Constraints', intro: 'sora.constraints: limits applied to a layer\'s weights after each optimizer step.', groups: {
    Constraints: 'constraints constraints.maxNorm constraints.minMaxNorm constraints.nonNeg constraints.unitNorm',
  } },
  { page: 'initializers.md', title: 'Initializers', intro: 'sora.initializers: how a layer\'s weights start.', groups: {
    Initializers: 'initializers initializers.constant initializers.glorotNormal initializers.glorotUniform initializers.heNormal initializers.heUniform initializers.identity initializers.leCunNormal initializers.leCunUniform initializers.ones initializers.orthogonal initializers.randomNormal initializers.randomUniform initializers.truncatedNormal initializers.varianceScaling initializers.zeros',
  } },
  { page: 'regularizers.md', title: 'Regularizers', intro: 'sora.regularizers: weight penalties added to the loss.', groups: {
    Regularizers: 'regularizers regularizers.l1 regularizers.l1l2 regularizers.l2',
  } },
  { page: 'data.md', title: 'Data', intro: 'sora.data: tf.data datasets, CSV and text files, the MNIST IDX reader and preprocessing helpers; sora.text and sora.sequence: Keras\'s Tokenizer and padSequences.', groups: {
    Creation: 'data data.array data.csv data.func data.generator data.zip data.loadMnist data.mnistFromBytes data.parseIdx data.MNIST_FILE_NAMES data.decodeWav data.encodeWav data.webcam data.microphone',
    Operations: 'data.meanStd data.minMaxScale data.normalize',
    Classes: 'data.Dataset data.CSVDataset data.TextLineDataset data.FileDataSource data.URLDataSource data.DataSource data.FileChunkIteratorOptions data.ColumnConfig data.CSVConfig data.IdxArray data.LoadMnistOptions data.Mnist data.MnistBytes data.MnistLimits data.MnistSplit data.MeanStd data.MinMaxOptions data.WavAudio data.WebcamConfig data.WebcamIterator data.MicrophoneCapture data.MicrophoneConfig data.MicrophoneIterator',
    'Text (Keras)': 'text text.Tokenizer text.textToWordSequence text.tokenizerFromJson text.DEFAULT_FILTERS text.TokenizerArgs text.TextToWordSequenceArgs text.MatrixMode text.TokenizerJSON',
    'Sequences (Keras)': 'sequence sequence.padSequences sequence.PadSequencesArgs sequence.PadStep sequence.Sequences',
  } },
  { page: 'util.md', title: 'Util', intro: 'sora.util (TF.js\'s tf.util helpers), sora.utils (Keras\'s), printing, dtype helpers and sora.test_util.', groups: {
    Util: 'util util.arraysEqual util.arraysEqualWithNull util.assert util.assertNonNegativeIntegerDimensions util.assertNonNull util.assertShapesMatch util.bytesFromStringArray util.bytesPerElement util.checkConversionForErrors util.clamp util.computeStrides util.convertBackendValuesAndArrayBuffer util.createScalarValue util.createShuffledIndices util.decodeString util.distSquared util.encodeString util.fetch util.fingerPrint64 util.flatten util.getArrayFromDType util.getTypedArrayFromDType util.hasEncodingLoss util.hexToLong util.indexToLoc util.inferDtype util.inferFromImplicitShape util.isBoolean util.isFunction util.isInt util.isNumber util.isPromise util.isScalarShape util.isString util.isTypedArray util.isValidDtype util.locToIndex util.makeOnesTypedArray util.makeZerosNestedTypedArray util.makeZerosTypedArray util.nearestDivisor util.nearestLargerEven util.now util.parseAxisParam util.randUniform util.repeatedTry util.rightPad util.shuffle util.shuffleCombo util.sizeFromShape util.sizeToSquarishShape util.squeezeShape util.sum util.swap util.tanh util.toNestedArray util.toTypedArray util.Long util.RecursiveArray util.TypedArrayOf',
    Printing: 'print',
    Types: 'upcastType sumOutType op',
    'Keras utilities': 'utils utils.toCategorical',
    'Test utilities': 'test_util test_util.encodeStrings test_util.expectArrayBuffersEqual test_util.expectArraysClose test_util.expectArraysEqual test_util.expectNumbersClose test_util.expectPromiseToFail test_util.expectValuesInRange test_util.testEpsilon',
  } },
  { page: 'backends.md', title: 'Backends', intro: 'Choosing the backend (webgpu, wasm, reference), loading the wasm, and the kernel contract every backend implements (see ../architecture.md).', groups: {
    Backends: 'setBackend getBackend ready backend setWasmPaths setThreadsCount getThreadsCount ThreadsInfo WasmLoadError BackendName Backend',
  } },
  { page: 'browser.md', title: 'Browser', intro: 'sora.browser: pixels to tensors and back.', groups: {
    Browser: 'browser browser.draw browser.fromPixels browser.fromPixelsAsync browser.toPixels',
  } },
  { page: 'metrics.md', title: 'Metrics', intro: 'sora.metrics: the functions behind compile\'s metrics, under TF.js\'s names and short aliases.', groups: {
    Metrics: 'metrics metrics.binaryAccuracy metrics.binaryCrossentropy metrics.categoricalAccuracy metrics.categoricalCrossentropy metrics.cosineProximity metrics.meanAbsoluteError metrics.meanAbsolutePercentageError metrics.meanSquaredError metrics.precision metrics.r2Score metrics.recall metrics.sparseCategoricalAccuracy metrics.sparseCategoricalCrossentropy metrics.MAE metrics.MAPE metrics.MSE metrics.mae metrics.mape metrics.mse',
  } },
  { page: 'callbacks.md', title: 'Callbacks', intro: 'What fit calls at each epoch and batch: early stopping, History, custom callbacks.', groups: {
    Callbacks: 'callbacks callbacks.earlyStopping Callback CallbackList CustomCallback EarlyStopping History registerCallbackConstructor CallbackConstructor CallbackHooks CustomCallbackArgs Logs',
  } },
  { page: 'io.md', title: 'IO', intro: 'sora.io: the TF.js layers and graph-model formats (model.json + weights) and where it goes: files, HTTP, IndexedDB, local storage, downloads, files a user chooses.', groups: {
    Handlers: 'io io.browserFiles io.browserHTTPRequest io.downloadsSaveHandler io.fileLoadHandler io.fileSaveHandler io.fromMemory io.fromMemorySync io.http io.httpLoadHandler io.indexedDbLoadHandler io.indexedDbSaveHandler io.localStorageLoadHandler io.localStorageSaveHandler io.withSaveHandler io.withSaveHandlerSync',
    Routers: 'io.getLoadHandler io.getLoadHandlers io.getSaveHandler io.getSaveHandlers io.registerLoadRouter io.registerSaveRouter io.isHTTPScheme io.LoadRouter io.SaveRouter',
    Weights: 'io.CompositeArrayBuffer io.concatBytes io.concatenateArrayBuffers io.decodeWeights io.decodeWeightsStream io.encodeWeights io.getWeightSpecs io.loadWeights io.weightsLoaderFactory io.DecodedWeight io.NamedWeight io.NamedTensorMap',
    'Model JSON': 'io.artifactsInfo io.checkArtifacts io.checkModelJson io.checkWeightPath io.getModelArtifactsForJSON io.getModelArtifactsForJSONSync io.getModelArtifactsInfoForJSON io.modelJsonFromArtifacts io.parseModelJson io.MODEL_JSON_NAME io.WEIGHTS_BIN_NAME io.ParsedModelJson',
    Types: 'io.LoadHandler io.LoadHandlerSync io.LoadOptions io.ModelArtifacts io.ModelFormat io.ModelArtifactsInfo io.ModelJson io.QuantizationDType io.SaveHandler io.SaveResult io.TrainingConfig io.WeightDType io.WeightQuantization io.WeightSpec io.WeightsManifestGroup',
  } },
];

/** Every listed name with its page, area and sub-area, in order; a name listed twice appears twice. */
export function listed() {
  return AREAS.flatMap((area) => Object.entries(area.groups).flatMap(([group, names]) =>
    names.split(/\s+/).filter(Boolean).map((name) => ({ name, page: area.page, area: area.title, group }))));
}

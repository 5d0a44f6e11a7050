/**
 * The trainer's engine: {@link neuroflux.stages.train.StepRunner} runs a compiled step again and again with the
 * carried state kept in ONNX Runtime tensors, {@link neuroflux.stages.train.Trainer} loops over epochs of
 * shuffled batches with a {@link neuroflux.stages.train.LearningRateSchedule},
 * {@link neuroflux.stages.train.Evaluator} measures accuracy with the running statistics, and
 * {@link neuroflux.stages.train.GradientComparison} checks one step's gradients against reference values.
 * The trained model is the forward graph with the runner's
 * {@link neuroflux.stages.train.StepRunner#modelValues()} written in
 * ({@link neuroflux.stages.compile.InferenceCompiler#withValues}).
 */
package neuroflux.stages.train;

/**
 * The training-graph compiler: turns a forward ONNX graph into one ONNX graph per training step (forward in
 * training mode, losses, backward, optimizer update) that a plain ONNX Runtime session runs.
 *
 * <p>Use, for each batch size the step runs at:
 * <pre>{@code
 * Graph forward = imported.atBatch(128);                       // every shape known
 * CompiledStep step = StepCompiler.compile(new StepSpec(forward,
 *         List.of(new LossAttachment("logits", "labels")),     // one or more mean cross-entropy losses
 *         TrainableParameters.of(forward),                     // initializers to train
 *         Set.of(),                                            // values no gradient passes through
 *         Optimizer.Sgd.reference()));                         // or AdamW, or GradientsOnly
 * }</pre>
 * The three uses the pipeline has: (a) end-to-end backpropagation, one attachment on the model's logits;
 * (b) local learning of a block of units, one attachment per unit's auxiliary head, each unit's input routed
 * through an Identity whose output is detached (so that the previous head still trains its unit), all in one
 * graph, the step minimising the sum of the losses; (c) evaluation, {@link neuroflux.stages.compile.InferenceCompiler}
 * with parameters and running statistics as inputs.
 *
 * <p>The step graph's interface follows {@link neuroflux.stages.compile.StepNames}: every carried value
 * ({@link neuroflux.stages.compile.CompiledStep#state()}: parameters, optimizer state, batch-norm running
 * statistics) is an input under its own name with an output {@code name.next}; the learning rate, momentum and
 * (AdamW) step count are scalar inputs; each attachment has a loss and a correct-prediction count output.
 * {@link neuroflux.stages.compile.Differentiator} is the reverse-mode core, with one
 * {@link neuroflux.stages.compile.rules.GradientRule} per operator.
 */
package neuroflux.stages.compile;

package neuroflux.stages.compile.rules;

import neuroflux.onnx.Node;
import neuroflux.stages.compile.Emitter;

/** What a gradient rule sees of the step being compiled. */
public interface GradientContext {
    /** Writes nodes and constants into the step graph. */
    Emitter emit();

    /** Puts the original forward node into the step graph unchanged. */
    void keep(Node node);

    /** The forward node that computes the value, or null for an input or initializer. */
    Node producer(String value);

    /** How many inputs of forward nodes read the value (a node reading it twice counts twice). */
    int readers(String value);

    /** Whether a gradient of this value is wanted: it depends on a trainable parameter and reaches a loss. */
    boolean needsGrad(String value);

    /** The gradient of output {@code i} of the node, or null when no loss depends on that output. */
    String gradOfOutput(Node node, int i);

    /** Adds one contribution to a value's gradient; contributions from several consumers are summed. */
    void addGrad(String value, String grad);

    /** Keeps a value the forward rewrite computed for the node's backward ({@code key} is rule-private). */
    void save(Node node, String key, String value);

    String saved(Node node, String key);

    /** The value of an initializer or Constant node output (axes, shapes, bounds), or null if it is computed. */
    neuroflux.onnx.Tensor constant(String value);

    /** Whether the step is training (batch statistics for normalisation, dropout active). */
    boolean training();

    /** How the float32 forward rounds its sums (see {@link neuroflux.stages.compile.Rounding}). */
    neuroflux.stages.compile.Rounding rounding();

    /** The node's output values the step must also output: BatchNormalization's updated running statistics. */
    void addStateUpdate(String state, String next);
}

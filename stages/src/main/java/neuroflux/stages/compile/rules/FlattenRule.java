package neuroflux.stages.compile.rules;

/** Flatten: the gradient is reshaped back to the input's shape. */
final class FlattenRule extends ReshapeRule {}

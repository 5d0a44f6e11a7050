package neuroflux.stages.compile.rules;

/** Squeeze and Unsqueeze: the gradient is reshaped back to the input's shape. */
final class SqueezeRule extends ReshapeRule {}

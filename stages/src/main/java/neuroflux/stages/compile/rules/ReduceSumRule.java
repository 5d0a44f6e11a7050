package neuroflux.stages.compile.rules;

/** ReduceSum: the gradient is broadcast back over the reduced elements. */
final class ReduceSumRule extends ReduceMeanRule {
    @Override
    boolean averages() {
        return false;
    }
}

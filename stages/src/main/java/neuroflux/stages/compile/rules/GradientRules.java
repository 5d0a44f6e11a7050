package neuroflux.stages.compile.rules;

import java.util.Map;

/** The operators neuroflux can differentiate, each with its rule. */
public final class GradientRules {
    private static final Map<String, GradientRule> RULES = Map.ofEntries(
            Map.entry("Conv", new ConvRule()),
            Map.entry("BatchNormalization", new BatchNormalizationRule()),
            Map.entry("Relu", new ReluRule()),
            Map.entry("Clip", new ClipRule()),
            Map.entry("Sigmoid", new SigmoidRule()),
            Map.entry("Add", new AddRule()),
            Map.entry("Sub", new SubRule()),
            Map.entry("Mul", new MulRule()),
            Map.entry("Div", new DivRule()),
            Map.entry("MaxPool", new MaxPoolRule()),
            Map.entry("AveragePool", new AveragePoolRule()),
            Map.entry("GlobalAveragePool", new GlobalAveragePoolRule()),
            Map.entry("Flatten", new FlattenRule()),
            Map.entry("Reshape", new ReshapeRule()),
            Map.entry("Squeeze", new SqueezeRule()),
            Map.entry("Unsqueeze", new SqueezeRule()),
            Map.entry("Gemm", new GemmRule()),
            Map.entry("MatMul", new MatMulRule()),
            Map.entry("Concat", new ConcatRule()),
            Map.entry("Split", new SplitRule()),
            Map.entry("Slice", new SliceRule()),
            Map.entry("Transpose", new TransposeRule()),
            Map.entry("ReduceMean", new ReduceMeanRule()),
            Map.entry("ReduceSum", new ReduceSumRule()),
            Map.entry("Identity", new IdentityRule()),
            Map.entry("Dropout", new DropoutRule()));

    private GradientRules() {}

    /** The rule for an operator of the default domain, or null when neuroflux cannot differentiate it. */
    public static GradientRule forOp(String opType) {
        return RULES.get(opType);
    }

    public static java.util.Set<String> supported() {
        return RULES.keySet();
    }
}

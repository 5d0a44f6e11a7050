package neuroflux.stages.compile;

/**
 * The naming convention of compiled step graphs. A state value {@code p} (parameter, optimizer state, running
 * statistic) is an input under its own name and comes back as the output {@code p.next}.
 */
public final class StepNames {
    public static final String LR = "lr";
    public static final String MOMENTUM = "momentum";
    /** AdamW's step count t, starting at 1, as a float scalar. */
    public static final String STEP = "step";
    public static final String TOTAL_LOSS = "loss";
    public static final String MOMENTUM_BUFFER = "momentum_buffer";
    public static final String EXP_AVG = "exp_avg";
    public static final String EXP_AVG_SQ = "exp_avg_sq";

    private StepNames() {}

    public static String next(String state) {
        return state + ".next";
    }

    public static String grad(String parameter) {
        return "grad." + parameter;
    }

    /** The optimizer state of a parameter, e.g. {@code conv.weight.momentum_buffer}. */
    public static String state(String parameter, String suffix) {
        return parameter + "." + suffix;
    }

    /** The loss of the i-th attachment. */
    public static String loss(int i) {
        return "loss." + i;
    }

    /** The number of correct predictions (argmax equals label) of the i-th attachment, an int64 scalar. */
    public static String correct(int i) {
        return "correct." + i;
    }
}

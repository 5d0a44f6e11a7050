package neuroflux.stages.compile;

/**
 * How a compiled step updates the parameters, matching PyTorch's optimizers. The learning rate and the
 * momentum (SGD's momentum, AdamW's beta1) are step inputs so that schedules, PyTorch's OneCycleLR cycling
 * momentum included, need no recompilation; the values here are the defaults a trainer feeds.
 */
public sealed interface Optimizer {
    /** The momentum the trainer feeds when its schedule does not set one. */
    double momentum();

    /** The optimizer state each parameter carries, as suffixes of its name (see {@link StepNames}). */
    java.util.List<String> stateSuffixes();

    /**
     * torch.optim.SGD: d = g + weightDecay p; buf = momentum buf + d; with Nesterov d + momentum buf, else buf,
     * is the step. With momentum 0 there is no buffer.
     */
    record Sgd(double momentum, boolean nesterov, double weightDecay) implements Optimizer {
        public static Sgd reference() {
            return new Sgd(0.9, true, 5e-4);
        }

        @Override
        public java.util.List<String> stateSuffixes() {
            return momentum == 0 ? java.util.List.of() : java.util.List.of(StepNames.MOMENTUM_BUFFER);
        }
    }

    /** torch.optim.AdamW: decoupled weight decay, bias correction by the step count (a step input from 1). */
    record AdamW(double beta1, double beta2, double eps, double weightDecay) implements Optimizer {
        public static AdamW defaults(double weightDecay) {
            return new AdamW(0.9, 0.999, 1e-8, weightDecay);
        }

        @Override
        public double momentum() {
            return beta1;
        }

        @Override
        public java.util.List<String> stateSuffixes() {
            return java.util.List.of(StepNames.EXP_AVG, StepNames.EXP_AVG_SQ);
        }
    }

    /** No update: the step outputs each parameter's gradient as {@code grad.<name>}. */
    record GradientsOnly() implements Optimizer {
        @Override
        public double momentum() {
            return 0;
        }

        @Override
        public java.util.List<String> stateSuffixes() {
            return java.util.List.of();
        }
    }
}

package neuroflux.stages.compile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Emits PyTorch's update rules into the step graph. The learning rate, momentum (beta1) and AdamW's step count
 * are graph inputs, created on first use; per-step scalars shared by all parameters are emitted once.
 */
final class OptimizerUpdate {
    private final Emitter e;
    private final Optimizer optimizer;
    private String lr;
    private String momentum;
    private String adamStepSize;
    private String adamSqrtCorrection2;

    OptimizerUpdate(Emitter e, Optimizer optimizer) {
        this.e = e;
        this.optimizer = optimizer;
    }

    /** The new values of the parameter and of its optimizer state (by state name). */
    Map<String, String> emit(String p, String grad, Map<String, String> state) {
        Map<String, String> next = new LinkedHashMap<>();
        if (grad == null) {
            // PyTorch leaves a parameter without a gradient untouched, weight decay included.
            next.put(p, p);
            state.values().forEach(s -> next.put(s, s));
            return next;
        }
        switch (optimizer) {
            case Optimizer.Sgd sgd -> sgd(sgd, p, grad, state, next);
            case Optimizer.AdamW adam -> adamW(adam, p, grad, state, next);
            case Optimizer.GradientsOnly g -> throw new IllegalStateException("no update in a gradients-only step");
        }
        return next;
    }

    private void sgd(Optimizer.Sgd sgd, String p, String grad, Map<String, String> state, Map<String, String> next) {
        String d = grad;
        if (sgd.weightDecay() != 0) d = e.add(d, e.mul(p, e.scalar(sgd.weightDecay())));
        String step = d;
        if (sgd.momentum() != 0) {
            String buf = state.get(StepNames.MOMENTUM_BUFFER);
            String bufNext = e.add(e.mul(buf, momentum()), d);
            next.put(buf, bufNext);
            step = sgd.nesterov() ? e.add(d, e.mul(bufNext, momentum())) : bufNext;
        }
        next.put(p, e.sub(p, e.mul(step, lr())));
    }

    private void adamW(Optimizer.AdamW adam, String p, String grad, Map<String, String> state,
                       Map<String, String> next) {
        String decayed = p;
        if (adam.weightDecay() != 0) {
            String factor = e.sub(e.scalar(1), e.mul(lr(), e.scalar(adam.weightDecay())));
            decayed = e.mul(p, factor);
        }
        String m = state.get(StepNames.EXP_AVG);
        String v = state.get(StepNames.EXP_AVG_SQ);
        String b1 = momentum();
        String mNext = e.add(e.mul(m, b1), e.mul(grad, e.sub(e.scalar(1), b1)));
        String vNext = e.add(e.mul(v, e.scalar(adam.beta2())), e.mul(e.mul(grad, grad), e.scalar(1 - adam.beta2())));
        next.put(m, mNext);
        next.put(v, vNext);
        if (adamStepSize == null) {
            String t = e.graphInput(StepNames.STEP);
            String correction1 = e.sub(e.scalar(1), e.op("Pow", "beta1_t", b1, t));
            String correction2 = e.sub(e.scalar(1), e.op("Pow", "beta2_t", e.scalar(adam.beta2()), t));
            adamStepSize = e.op("Div", "adam_step_size", lr(), correction1);
            adamSqrtCorrection2 = e.op("Sqrt", "adam_sqrt_c2", correction2);
        }
        String denom = e.add(e.op("Div", "adam_denom", e.op("Sqrt", "adam_sqrt_v", vNext), adamSqrtCorrection2),
                e.scalar(adam.eps()));
        String update = e.mul(e.op("Div", "adam_ratio", mNext, denom), adamStepSize);
        next.put(p, e.sub(decayed, update));
    }

    private String lr() {
        if (lr == null) lr = e.graphInput(StepNames.LR);
        return lr;
    }

    private String momentum() {
        if (momentum == null) momentum = e.graphInput(StepNames.MOMENTUM);
        return momentum;
    }
}

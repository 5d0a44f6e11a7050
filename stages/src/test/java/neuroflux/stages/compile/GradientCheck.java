package neuroflux.stages.compile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;

/**
 * Checks the compiler's gradients of a small graph against central differences. The objective is
 * f = sum over outputs of sum(y * r) with fixed random r, whose gradient the differentiator gets by seeding each
 * output's gradient with r; the numerical side evaluates the same (training-form) graph with perturbed inputs.
 */
public final class GradientCheck {
    private final Graph forward;
    private final Map<String, Tensor> values = new LinkedHashMap<>();
    private final Set<String> wrt = new LinkedHashSet<>();
    private final Random random;
    private final DataType type;
    private Rounding rounding = Rounding.NATIVE;

    public GradientCheck(DataType type, long seed) {
        this.type = type;
        this.forward = new Graph("gradcheck");
        this.random = new Random(seed);
    }

    public Graph graph() {
        return forward;
    }

    /** How the training form rounds its float32 forward (before the graph is compiled). */
    public GradientCheck rounding(Rounding r) {
        if (vjp != null) throw new IllegalStateException("the graph is already compiled");
        this.rounding = r;
        return this;
    }

    /** The value given to an input. */
    public Tensor value(String name) {
        return values.get(name);
    }

    /** The outputs of the training form (the forward that rules may rewrite) on the check's input values. */
    public Map<String, Tensor> trainingForward() {
        Graph g = vjpGraph();
        Map<String, Tensor> feeds = new LinkedHashMap<>(values);
        for (String y : forward.outputNames()) feeds.put("seed." + y, random(g.shapeOf(y), 1.0));
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            return s.run(feeds);
        }
    }

    /** A graph input filled with random values in [-1, 1); differentiated unless {@code constant}. */
    public String input(String name, long[] shape, boolean differentiate) {
        Tensor t = random(shape, 1.0);
        return input(name, t, differentiate);
    }

    public String input(String name, Tensor value, boolean differentiate) {
        forward.inputs().add(new ValueInfo(name, value.type(), value.shape()));
        forward.valueInfo().put(name, new ValueInfo(name, value.type(), value.shape()));
        values.put(name, value);
        if (differentiate) wrt.add(name);
        return name;
    }

    /** A constant of the graph (an initializer): shapes, axes, bounds. */
    public String constant(String name, Tensor value) {
        forward.addInitializer(name, value);
        return name;
    }

    public Tensor random(long[] shape, double scale) {
        double[] d = new double[Math.toIntExact(neuroflux.onnx.Shapes.size(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (random.nextDouble() * 2 - 1) * scale;
        return tensor(shape, d);
    }

    public Tensor tensor(long[] shape, double[] d) {
        if (type == DataType.DOUBLE) return Tensor.ofDoubles(shape, d);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return Tensor.ofFloats(shape, f);
    }

    public Node node(String op, List<String> inputs, String... outputs) {
        return forward.add(new Node(op, op + "_" + forward.nodes().size(), inputs, List.of(outputs)));
    }

    public void output(String name) {
        forward.outputs().add(new ValueInfo(name, type, null));
    }

    /** The analytic gradients; the compiled graph seeds every output with {@code seed.<name>}. */
    public Map<String, Tensor> analytic(Map<String, Tensor> seeds) {
        try (OrtSession s = OrtSession.open(vjpGraph(), RuntimeOptions.cpu(1))) {
            Map<String, Tensor> feeds = new LinkedHashMap<>(values);
            seeds.forEach((k, v) -> feeds.put("seed." + k, v));
            Map<String, Tensor> out = s.run(feeds);
            Map<String, Tensor> grads = new LinkedHashMap<>();
            for (String w : wrt) grads.put(w, out.get("grad." + w));
            return grads;
        }
    }

    private Graph vjp;

    /**
     * The largest absolute difference between the outputs of the forward graph as given and of its training form
     * (the forward that rules may rewrite), on the check's input values.
     */
    public double forwardMismatch() {
        Map<String, Tensor> given;
        try (OrtSession s = OrtSession.open(forward, RuntimeOptions.cpu(1))) {
            given = s.run(values);
        }
        Graph g = vjpGraph();
        Map<String, Tensor> feeds = new LinkedHashMap<>(values);
        for (String y : forward.outputNames()) feeds.put("seed." + y, random(g.shapeOf(y), 1.0));
        Map<String, Tensor> rewritten;
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            rewritten = s.run(feeds);
        }
        double worst = 0;
        for (String y : forward.outputNames()) {
            double[] a = given.get(y).doubles();
            double[] b = rewritten.get(y).doubles();
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** The forward graph with its backward appended: inputs, seeds in; outputs and gradients out. */
    public Graph vjpGraph() {
        if (vjp != null) return vjp;
        Graph g = forward.copy();
        ValueShapes.ensure(g);
        List<String> outputs = g.outputNames();
        g.outputs().clear();
        Differentiator d = new Differentiator(g, wrt, Set.of(), outputs, true).rounding(rounding);
        d.rewriteForward();
        for (String y : outputs) {
            String seed = "seed." + y;
            d.emitter().claim(seed);
            g.inputs().add(new ValueInfo(seed, type, g.shapeOf(y)));
            d.addGrad(y, seed);
            g.outputs().add(new ValueInfo(y, type, g.shapeOf(y)));
        }
        Map<String, String> grads = d.backward(wrt);
        for (String w : wrt) {
            String name = "grad." + w;
            String gr = grads.get(w);
            if (gr == null) gr = d.emitter().zeros(g.shapeOf(w));
            d.emitter().claim(name);
            d.emitter().nodeTo("Identity", List.of(name), gr);
            g.outputs().add(new ValueInfo(name, type, g.shapeOf(w)));
        }
        vjp = g;
        return g;
    }

    /**
     * Compares analytic and central-difference gradients for every differentiated input and returns the worst
     * error relative to the allowance {@code atol + rtol * max|numerical|}; asserts it is at most 1.
     */
    public double check(double step, double rtol, double atol) {
        Graph g = vjpGraph();
        Map<String, Tensor> seeds = new LinkedHashMap<>();
        for (String y : forward.outputNames()) seeds.put(y, random(g.shapeOf(y), 1.0));
        Map<String, Tensor> analytic = analytic(seeds);
        double worst = 0;
        List<String> report = new ArrayList<>();
        try (OrtSession s = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            for (String w : wrt) {
                double[] base = values.get(w).doubles();
                double[] numeric = new double[base.length];
                for (int i = 0; i < base.length; i++) {
                    numeric[i] = (objective(s, w, base, i, step, seeds) - objective(s, w, base, i, -step, seeds))
                            / (2 * step);
                }
                double[] a = analytic.get(w).doubles();
                double scale = 0;
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    scale = Math.max(scale, Math.abs(numeric[i]));
                    diff = Math.max(diff, Math.abs(a[i] - numeric[i]));
                }
                double err = diff / (atol + rtol * scale);
                report.add(w + ": max diff " + diff + " (largest gradient " + scale + ")");
                worst = Math.max(worst, err);
            }
        }
        assertTrue(worst <= 1, "gradients disagree with central differences: " + report);
        return worst;
    }

    private double objective(OrtSession s, String w, double[] base, int i, double delta, Map<String, Tensor> seeds) {
        double[] moved = base.clone();
        moved[i] += delta;
        Map<String, Tensor> feeds = new LinkedHashMap<>(values);
        feeds.put(w, tensor(values.get(w).shape(), moved));
        seeds.forEach((k, v) -> feeds.put("seed." + k, v));
        Map<String, Tensor> out = s.run(feeds);
        double f = 0;
        for (String y : forward.outputNames()) {
            double[] yv = out.get(y).doubles();
            double[] r = seeds.get(y).doubles();
            for (int j = 0; j < yv.length; j++) f += yv[j] * r[j];
        }
        return f;
    }
}

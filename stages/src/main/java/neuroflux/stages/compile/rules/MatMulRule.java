package neuroflux.stages.compile.rules;

import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Node;

/**
 * MatMul of operands of rank two or more (batch axes broadcast): dA = dY B^T and dB = A^T dY over the last two
 * axes, summed back over the batch axes an operand was broadcast along.
 */
final class MatMulRule implements GradientRule {
    @Override
    public void backward(Node node, GradientContext ctx) {
        String dy = ctx.gradOfOutput(node, 0);
        if (dy == null) return;
        var e = ctx.emit();
        String a = node.input(0);
        String b = node.input(1);
        long[] as = e.shape(a);
        long[] bs = e.shape(b);
        if (as.length < 2 || bs.length < 2) {
            throw new BadInputException("node " + node.describe() + " multiplies a vector; neuroflux "
                    + "differentiates MatMul only on operands of rank 2 or more");
        }
        long[] ys = e.shape(node.output(0));
        if (ctx.needsGrad(a)) {
            String g = e.op("MatMul", "matmul_da", dy, e.transpose(b, Axes.swapLastTwo(bs.length)));
            ctx.addGrad(a, e.reduceTo(g, withLastTwo(ys, as), as));
        }
        if (ctx.needsGrad(b)) {
            String g = e.op("MatMul", "matmul_db", e.transpose(a, Axes.swapLastTwo(as.length)), dy);
            ctx.addGrad(b, e.reduceTo(g, withLastTwo(ys, bs), bs));
        }
    }

    /** The shape of a product's gradient with respect to one operand: the result's batch axes, its matrix axes. */
    private static long[] withLastTwo(long[] result, long[] operand) {
        long[] s = result.clone();
        s[s.length - 2] = operand[operand.length - 2];
        s[s.length - 1] = operand[operand.length - 1];
        return s;
    }
}

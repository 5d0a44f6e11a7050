package neuroflux.stages.compile;

import neuroflux.onnx.DataType;
import neuroflux.onnx.Node;

/**
 * The mean softmax cross-entropy of logits [N, K] against int64 labels [N], its gradient with respect to the
 * logits ((softmax - onehot) / N, seeded directly rather than differentiated), and the number of correct
 * predictions (argmax equals label, first maximum on ties).
 */
final class SoftmaxCrossEntropy {
    record Emitted(String loss, String logitsGrad, String correct) {}

    private SoftmaxCrossEntropy() {}

    static Emitted emit(Emitter e, String logits, String labels, long[] shape) {
        long n = shape[0];
        long classes = shape[1];
        String logProb = e.node("LogSoftmax", "log_prob", logits).with("axis", 1).output(0);
        String column = e.op("Unsqueeze", "labels_column", labels, e.ints(1));
        String picked = e.node("GatherElements", "picked", logProb, column).with("axis", 1).output(0);
        String loss = e.mul(e.node("ReduceSum", "nll_sum", picked).with("keepdims", 0).output(0), e.scalar(-1.0 / n));

        long[] range = new long[(int) classes];
        for (int i = 0; i < classes; i++) range[i] = i;
        String classIds = e.constant("class_ids", neuroflux.onnx.Tensor.ofLongs(new long[] {1, classes}, range));
        String oneHot = cast(e, e.op("Equal", "onehot", column, classIds), e.dtype());
        String softmax = e.op("Exp", "softmax", logProb);
        String grad = e.mul(e.sub(softmax, oneHot), e.scalar(1.0 / n));

        Node argmax = e.node("ArgMax", "prediction", logits).with("axis", 1).with("keepdims", 0);
        String hits = cast(e, e.op("Equal", "hit", argmax.output(0), labels), DataType.INT64);
        String correct = e.node("ReduceSum", "correct", hits).with("keepdims", 0).output(0);
        return new Emitted(loss, grad, correct);
    }

    private static String cast(Emitter e, String x, DataType to) {
        return e.node("Cast", "cast", x).with("to", to.code).output(0);
    }
}

package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.Broadcasting;
import neuroflux.onnx.shapes.InferenceContext;

/** Where: picks from X where the condition holds, else from Y, all three broadcast. */
final class WhereFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        long[] y = outputs.get(0).shape();
        Tensor c = inputs.get(0);
        long[] cond = c.longs();
        Tensor[] sources = {inputs.get(1), inputs.get(2)};
        int n = Math.toIntExact(Shapes.size(y));
        int[] which = new int[n];
        long[] index = new long[n];
        for (int i = 0; i < n; i++) {
            which[i] = cond[(int) Broadcasting.sourceIndex(i, y, c.shape())] != 0 ? 0 : 1;
            index[i] = Broadcasting.sourceIndex(i, y, sources[which[i]].shape());
        }
        return List.of(Values.pick(y, sources, which, index));
    }
}

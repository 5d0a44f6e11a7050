package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/** Concat along an axis. */
final class ConcatFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        long[] y = outputs.get(0).shape();
        int axis = ctx.axis(node, node.intAttr("axis", 0), y.length);
        Tensor[] sources = inputs.toArray(new Tensor[0]);
        int n = Math.toIntExact(Shapes.size(y));
        int[] which = new int[n];
        long[] index = new long[n];
        for (int i = 0; i < n; i++) {
            long[] c = Values.coordinates(i, y);
            int s = 0;
            while (c[axis] >= sources[s].shape()[axis]) c[axis] -= sources[s++].shape()[axis];
            which[i] = s;
            index[i] = Values.flat(c, sources[s].shape());
        }
        return List.of(Values.pick(y, sources, which, index));
    }
}

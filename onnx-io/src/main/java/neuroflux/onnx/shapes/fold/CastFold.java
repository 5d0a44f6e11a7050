package neuroflux.onnx.shapes.fold;

import java.util.List;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.shapes.InferenceContext;

/** Cast: integers convert exactly, floating values truncate toward zero when cast to integers. */
final class CastFold implements ConstantOp {
    @Override
    public List<Tensor> evaluate(Node node, List<Tensor> inputs, List<ValueInfo> outputs, InferenceContext ctx) {
        Tensor x = inputs.get(0);
        ValueInfo out = outputs.get(0);
        return List.of(Values.isInteger(x.type()) ? Values.fromLongs(out.type(), x.shape(), x.longs())
                : Values.fromDoubles(out.type(), x.shape(), x.doubles()));
    }
}

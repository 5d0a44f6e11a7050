package neuroflux.stages.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.TensorCodec;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.importer.ModelImporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GradientComparisonTest {
    static Path fixture(String name) {
        String p = System.getProperty("neuroflux.fixtures");
        return Path.of(p != null ? p : "../../shared/fixtures").resolve(name);
    }

    static GradientComparison compare(String name) {
        Path dir = fixture(name);
        Tensor input = TensorCodec.read(dir.resolve("test_data_set_0/input_0.pb"));
        Graph g = ModelImporter.load(dir.resolve("model.onnx")).atBatch(input.shape()[0]);
        Tensor labels = TensorCodec.read(dir.resolve("train_step/labels.pb"));
        GradientComparison c = GradientComparison.run(g, input, labels, dir.resolve("train_step"),
                RuntimeOptions.cpu(1));
        System.out.printf("%s: loss %.7f (reference %.7f), worst gradient %s at %.3f of its tolerance%n", name,
                c.loss(), c.referenceLoss(), c.parameters().get(0).name(), c.parameters().get(0).ratio());
        return c;
    }

    static String describe(GradientComparison c) {
        List<GradientComparison.Parameter> f = c.failures();
        return "failing: " + f.subList(0, Math.min(5, f.size())) + (f.size() > 5 ? " and " + (f.size() - 5)
                + " more" : "") + ", loss ratio " + c.lossRatio();
    }

    /**
     * With PyTorch's rounding (GradientComparison's default) every fixture meets the README rule. The MobileNetV2
     * fixture needs it: its batch norms normalise 4 values per channel at 1x1 in the last blocks, some with a
     * batch standard deviation near 1e-5, and a one-ulp difference anywhere in the forward (the first
     * convolution's summation order, say) moves its gradients by up to 58 times the tolerance; PyTorch's own
     * float64 gradients are as far from the float32 reference.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vgg-small-fmnist", "resnet8-cifar", "mobilenetv2-w025-cifar"})
    void compiledGradientsMatchPyTorch(String name) {
        GradientComparison c = compare(name);
        assertTrue(c.parameters().size() > 10);
        assertTrue(c.passed(), describe(c));
    }
}

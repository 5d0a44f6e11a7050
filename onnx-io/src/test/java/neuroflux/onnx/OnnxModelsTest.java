package neuroflux.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class OnnxModelsTest {
    static final java.util.List<String> FIXTURES = Fixtures.NAMES;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void fixtureRoundTripsAndRunsToReferenceOutput(String fixture) {
        Path dir = Fixtures.dir(fixture);
        Graph g = OnnxModels.read(dir.resolve("model.onnx"));
        Graph again = OnnxModels.fromBytes(OnnxModels.toBytes(g), dir, "round trip");
        assertEquals(g.nodes().size(), again.nodes().size());
        assertEquals(g.initializers().keySet(), again.initializers().keySet());

        Tensor input = TensorCodec.read(dir.resolve("test_data_set_0/input_0.pb"));
        Tensor expected = TensorCodec.read(dir.resolve("test_data_set_0/output_0.pb"));
        try (OrtSession s = OrtSession.open(again, RuntimeOptions.cpu(2))) {
            Tensor out = s.run(Map.of(g.inputs().get(0).name(), input)).values().iterator().next();
            assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(out.shape()));
            float[] a = out.floats();
            float[] b = expected.floats();
            double worst = 0;
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
            assertTrue(worst < 1e-4, "largest difference " + worst);
        }
    }
}

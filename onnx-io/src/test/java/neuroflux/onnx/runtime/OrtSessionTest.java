package neuroflux.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Node;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import org.junit.jupiter.api.Test;

class OrtSessionTest {
    /** y = Relu(x) on [n, 4096] floats. */
    private static Graph relu(long n) {
        Graph g = new Graph("relu");
        ValueInfo x = new ValueInfo("x", DataType.FLOAT, new long[] {n, 4096});
        g.inputs().add(x);
        g.valueInfo().put("x", x);
        g.add(new Node("Relu", "relu", List.of("x"), List.of("y")));
        ValueInfo y = new ValueInfo("y", DataType.FLOAT, new long[] {n, 4096});
        g.valueInfo().put("y", y);
        g.outputs().add(y);
        return g;
    }

    /**
     * Evaluation runs thousands of batches through {@link OrtSession#run}; each input's native copy must be freed
     * when its run ends. A direct buffer per call (the code before) stays until a garbage collection clears it, and
     * 2,667 evaluation batches of vgg11 left about 50 MiB in the next epoch's measured peak. Here 64 runs of a
     * 64 KiB input would leave 4 MiB in the JVM's direct pool.
     */
    @Test
    void runsLeaveNoNativeCopiesOfTheirInputs() {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        float[] values = new float[4 * 4096];
        for (int i = 0; i < values.length; i++) values[i] = i % 7 - 3;
        Tensor x = Tensor.ofFloats(new long[] {4, 4096}, values);
        try (OrtSession s = OrtSession.open(relu(4), RuntimeOptions.cpu(1))) {
            s.run(Map.of("x", x)); // the first run's one-off allocations are not what this test is about
            long before = direct.getMemoryUsed();
            for (int i = 0; i < 64; i++) {
                float[] y = s.run(Map.of("x", x)).get("y").floats();
                assertEquals(Math.max(0, values[5]), y[5]);
            }
            long left = direct.getMemoryUsed() - before;
            assertTrue(left < 64 * 1024, "64 runs left " + left + " bytes of native input copies");
        }
    }

    /** Spinning is ONNX Runtime's default; the recomputing runner's sessions ask for workers that sleep instead. */
    @Test
    void spinningIsOnUnlessTheOptionsTurnItOff() throws Exception {
        try (ai.onnxruntime.OrtSession.SessionOptions on = OrtSession.sessionOptions(RuntimeOptions.cpu(2));
             ai.onnxruntime.OrtSession.SessionOptions off =
                     OrtSession.sessionOptions(RuntimeOptions.cpu(2).withoutCpuArena().withoutSpinning())) {
            assertEquals(null, on.getConfigEntries().get(OrtSession.INTRA_OP_SPINNING));
            assertEquals("0", off.getConfigEntries().get(OrtSession.INTRA_OP_SPINNING));
        }
        RuntimeOptions both = RuntimeOptions.cpu(2).withoutSpinning().withoutCpuArena();
        assertEquals(false, both.spinning());
        assertEquals(false, both.cpuArena());
    }
}

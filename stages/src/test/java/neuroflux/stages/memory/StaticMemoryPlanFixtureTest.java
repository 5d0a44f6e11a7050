package neuroflux.stages.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neuroflux.onnx.Graph;
import neuroflux.stages.importer.Fixtures;
import neuroflux.stages.importer.ImportedModel;
import neuroflux.stages.importer.ModelImporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The static plan on the exported fixture networks, imported and shape-inferred (inference graphs). */
class StaticMemoryPlanFixtureTest {
    static final List<String> FIXTURES = Fixtures.NAMES;

    private static Set<String> parameterNames(String fixture) throws IOException {
        String json = Files.readString(Fixtures.dir(fixture).resolve("train_step/parameters.json"));
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void nodeWrittenMemoryScalesWithTheBatchAndParametersDoNot(String fixture) throws IOException {
        ImportedModel model = ModelImporter.load(Fixtures.dir(fixture).resolve("model.onnx"));
        Set<String> parameters = parameterNames(fixture);
        Graph at4 = model.atBatch(4);
        StaticMemoryPlan p4 = StaticMemoryPlan.of(at4, parameters, Set.of());
        StaticMemoryPlan p8 = StaticMemoryPlan.of(model.atBatch(8), parameters, Set.of());

        assertNotNull(p4.peakNode());
        assertEquals(2 * p4.peakTransientBytes(), p8.peakTransientBytes(), "every intermediate carries the batch");
        long[] sample = model.sampleShape();
        assertEquals(4 * sample[0] * sample[1] * sample[2] * 4,
                p8.residentBytes() - p4.residentBytes(), "only the input batch is resident and batch-sized");

        long parameterBytes = 0;
        for (String p : parameters) {
            assertTrue(at4.isInitializer(p), "parameter " + p + " is an initializer after import");
            parameterBytes += at4.initializers().get(p).byteSize();
        }
        assertEquals(parameterBytes, p4.peakBytes(MemoryCategory.PARAMETERS));
        assertTrue(p4.peakBytes(MemoryCategory.RUNNING_STATISTICS) > 0, "batch norms hold running statistics");
        assertTrue(p4.peakBytes(MemoryCategory.ACTIVATIONS) > 0);
        assertEquals(0, p4.peakBytes(MemoryCategory.GRADIENTS) + p4.peakBytes(MemoryCategory.TEMPORARIES),
                "an inference graph has no backward");
    }
}

package neuroflux.stages.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.Node;
import org.junit.jupiter.api.Test;

class NameHintsTest {
    private static String hint(String... names) {
        List<Node> nodes = Arrays.stream(names).map(n -> new Node("Relu", n, List.of("x"), List.of(n + "_out")))
                .toList();
        return NameHints.of(nodes);
    }

    @Test
    void aUnitInsideOneNumberedModuleIsNamedByIt() {
        assertEquals("layers.1", hint("/layers/layers.1/c1/Conv", "/layers/layers.1/sc/sc.0/Conv",
                "/layers/layers.1/Relu_1"));
        assertEquals("features.2", hint("/features/features.2/features.2.conv/features.2.conv.0/Conv",
                "/features/features.2/features.2.conv/features.2.conv.3/BatchNormalization"));
    }

    @Test
    void aUnitAcrossNumberedModulesIsNamedByTheirRange() {
        assertEquals("features.0-3", hint("/features/features.0/Conv", "/features/features.3/MaxPool"));
        assertEquals("0-3", hint("/0/Conv", "/1/BatchNormalization", "/3/MaxPool"));
        assertEquals("stem.0-2", hint("/stem/stem.0/Conv", "/stem/stem.2/Relu"));
    }

    @Test
    void aUnitInsideANamedModuleIsNamedByIt() {
        assertEquals("stem", hint("/stem/conv/Conv", "/stem/relu/Relu"));
        assertEquals("fc", hint("/GlobalAveragePool", "/Flatten", "/fc/Gemm"));
    }

    @Test
    void namesThatAreNoPathsGiveARangeOrNothing() {
        assertEquals("Conv_0-Relu_2", hint("Conv_0", "BatchNormalization_1", "Relu_2"));
        assertEquals("", hint(""));
    }
}

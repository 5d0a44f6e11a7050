package neuroflux.pipeline.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import neuroflux.pipeline.Main;
import neuroflux.pipeline.config.Configuration;
import org.junit.jupiter.api.Test;

class VersionCommandTest {
    @Test
    void printsTheVersionsAfterRunningAGraphOnOnnxRuntime() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // a model configured for a whole workflow must not reach a command that takes no positional argument
        int status = Main.run(new String[] {"version"}, print(out), print(err),
                Configuration.of(Map.of("NEUROFLUX_MODEL", "/data/m.onnx")));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("neuroflux \\d+\\.\\d+\\.\\d+.*"), lines.get(0));
        assertTrue(lines.get(2).matches("ONNX Runtime 1\\.\\d+\\.\\d+ \\(execution providers: .*CPU.*\\).*"),
                lines.get(2));
    }

    @Test
    void theOneNodeGraphAddsItsInputToItself() {
        assertArrayEquals(new float[] {-2, 0, 5}, VersionCommand.runOneNodeGraph(new float[] {-1, 0, 2.5f}));
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }
}

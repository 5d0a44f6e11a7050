package neuroflux.pipeline.commands;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.DataType;
import neuroflux.onnx.Graph;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.ValueInfo;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code neuroflux version}: the versions of neuroflux, Java and ONNX Runtime, after running a one-node graph on
 * ONNX Runtime. It is the smallest proof that a packaged application or container image can load ONNX Runtime's
 * native libraries, so a workflow can run it as a health check before a long job.
 */
public final class VersionCommand implements Command {
    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "print the versions of neuroflux, Java and ONNX Runtime, and check that ONNX Runtime runs";
    }

    @Override
    public String usage() {
        return "";
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public String positionalKey() {
        return null;
    }

    @Override
    public int run(CommandLine line, PrintStream out, PrintStream err) {
        if (!line.getArgList().isEmpty()) {
            throw new BadInputException("takes no arguments, got " + String.join(" ", line.getArgList()));
        }
        out.println("neuroflux " + neurofluxVersion());
        out.println("Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") on "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        float[] doubled = runOneNodeGraph(new float[] {1, 2, 3});
        if (!Arrays.equals(doubled, new float[] {2, 4, 6})) {
            throw new IllegalStateException("ONNX Runtime computed x + x wrongly: " + Arrays.toString(doubled));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        out.println("ONNX Runtime " + env.getVersion() + " (execution providers: "
                + String.join(", ", OrtEnvironment.getAvailableProviders().stream().map(Enum::name).sorted().toList())
                + "): ran a one-node graph");
        return 0;
    }

    /** Runs y = x + x on ONNX Runtime: loads its native libraries and creates and runs a session. */
    static float[] runOneNodeGraph(float[] x) {
        long[] shape = {1, x.length};
        Graph g = new Graph("version-check");
        g.inputs().add(new ValueInfo("x", DataType.FLOAT, shape));
        g.outputs().add(new ValueInfo("y", DataType.FLOAT, shape));
        g.op("Add", List.of("x", "x"), "y");
        try (OrtSession session = OrtSession.open(g, RuntimeOptions.cpu(1))) {
            return session.run(Map.of("x", Tensor.ofFloats(shape, x))).get("y").floats();
        }
    }

    /** The version Maven wrote into the build. */
    static String neurofluxVersion() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/neuroflux/version.properties")) {
            if (in == null) return "(version unknown)";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "(version unknown)");
        } catch (IOException e) {
            return "(version unknown)";
        }
    }
}

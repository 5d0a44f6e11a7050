package neuroflux.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import neuroflux.onnx.OnnxModels;
import neuroflux.stages.models.Activation;
import neuroflux.stages.models.NetworkBuilder;

/**
 * A three-unit CNN small enough for tests that train it: conv-bn-relu-pool, conv-bn-relu-pool, conv-bn-relu,
 * global pooling and a linear classifier, on 1 x 8 x 8 images of 4 classes.
 */
public final class TinyCnn {
    public static final long[] INPUT = {1, 8, 8};
    public static final int CLASSES = 4;

    private TinyCnn() {}

    public static Path write(Path dir) throws IOException {
        NetworkBuilder b = new NetworkBuilder("tiny", INPUT, 7);
        Activation x = b.input();
        x = b.relu("f.2", b.batchNorm("f.1", b.conv("f.0", x, 4, 3, 1, 1, 1, true)));
        x = b.maxPool("f.3", x, 2, 2);
        x = b.relu("f.6", b.batchNorm("f.5", b.conv("f.4", x, 8, 3, 1, 1, 1, true)));
        x = b.maxPool("f.7", x, 2, 2);
        x = b.relu("f.10", b.batchNorm("f.9", b.conv("f.8", x, 8, 3, 1, 1, 1, true)));
        x = b.flatten("", b.globalAvgPool("", x));
        Path file = dir.resolve("tiny.onnx");
        OnnxModels.write(b.finish(b.linear("classifier", x, CLASSES)), file);
        return file;
    }
}

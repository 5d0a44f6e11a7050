package neuroflux.stages.block;

import java.nio.file.Path;
import neuroflux.onnx.OnnxModels;
import neuroflux.stages.models.Activation;
import neuroflux.stages.models.NetworkBuilder;

/** A three-unit CNN for tests: conv-bn-relu-pool, conv-bn-relu-pool, conv-bn-relu, pooling, linear; 1x8x8, 4 classes. */
public final class TinyCnn {
    private TinyCnn() {}

    public static Path write(Path dir) throws Exception {
        NetworkBuilder b = new NetworkBuilder("tiny", new long[] {1, 8, 8}, 7);
        Activation x = b.input();
        x = b.maxPool("f.3", b.relu("f.2", b.batchNorm("f.1", b.conv("f.0", x, 4, 3, 1, 1, 1, true))), 2, 2);
        x = b.maxPool("f.7", b.relu("f.6", b.batchNorm("f.5", b.conv("f.4", x, 8, 3, 1, 1, 1, true))), 2, 2);
        x = b.relu("f.10", b.batchNorm("f.9", b.conv("f.8", x, 8, 3, 1, 1, 1, true)));
        x = b.flatten("", b.globalAvgPool("", x));
        Path file = dir.resolve("tiny.onnx");
        OnnxModels.write(b.finish(b.linear("classifier", x, 4)), file);
        return file;
    }
}

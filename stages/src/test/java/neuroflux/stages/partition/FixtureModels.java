package neuroflux.stages.partition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The PyTorch-exported fixtures in ../shared/fixtures beside the checkout (see the README there). */
final class FixtureModels {
    static final List<String> NAMES = List.of("vgg-small-fmnist", "resnet8-cifar", "mobilenetv2-w025-cifar");

    private FixtureModels() {}

    static Path dir(String name) {
        String p = System.getProperty("neuroflux.fixtures");
        Path root = p != null ? Path.of(p) : Path.of("../../shared/fixtures");
        if (!Files.isDirectory(root)) throw new IllegalStateException("fixtures not found at " + root.toAbsolutePath());
        return root.resolve(name);
    }
}

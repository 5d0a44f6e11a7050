package neuroflux.pipeline.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the PyTorch-exported fixtures lie: ../shared/fixtures beside the checkout. */
public final class Fixtures {
    public static final List<String> NAMES = List.of("vgg-small-fmnist", "resnet8-cifar", "mobilenetv2-w025-cifar");

    private Fixtures() {}

    public static Path root() {
        String p = System.getProperty("neuroflux.fixtures");
        Path root = p != null ? Path.of(p) : Path.of("../shared/fixtures");
        if (!Files.isDirectory(root)) root = Path.of("../../shared/fixtures");
        if (!Files.isDirectory(root)) throw new IllegalStateException("fixtures not found at " + root.toAbsolutePath());
        return root;
    }

    public static Path dir(String name) {
        return root().resolve(name);
    }
}

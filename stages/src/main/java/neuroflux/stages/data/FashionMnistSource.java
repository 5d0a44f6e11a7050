package neuroflux.stages.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neuroflux.onnx.BadInputException;

/** Fashion-MNIST from its original IDX files: 60,000 training and 10,000 test images, 1 x 28 x 28, 10 classes. */
final class FashionMnistSource {
    static final String NAME = "fashion-mnist";
    private static final int CLASSES = 10;
    private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private FashionMnistSource() {}

    static SourceImages load(SearchPlaces places) {
        List<Path> folders = places.folders(NAME);
        Path dir = SearchPlaces.first(folders, d -> FILES.stream().allMatch(f -> file(d, f) != null))
                .orElseThrow(() -> new BadInputException("Fashion-MNIST not found: looked for "
                        + String.join(", ", FILES) + " (each also as .gz) in " + SearchPlaces.list(folders)
                        + "; install them with 'apt-get install dataset-fashion-mnist' or give their folder with"
                        + " --data-dir"));
        return new SourceImages(read(dir, "train"), read(dir, "t10k"));
    }

    private static RawImages read(Path dir, String prefix) {
        Path imageFile = file(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = file(dir, prefix + "-labels-idx1-ubyte");
        IdxFile images = IdxFile.read(imageFile, 3);
        IdxFile labels = IdxFile.read(labelFile, 1);
        int n = images.dims()[0];
        if (labels.dims()[0] != n)
            throw new BadInputException(labelFile + " has " + labels.dims()[0] + " labels but " + imageFile + " has "
                    + n + " images");
        if (n == 0) throw new BadInputException(imageFile + " holds no images");
        int[] label = new int[n];
        for (int i = 0; i < n; i++) label[i] = labels.data()[i] & 0xFF;
        return new RawImages(images.data(), label, 1, images.dims()[1], images.dims()[2], CLASSES)
                .checkLabels(labelFile.toString());
    }

    /** The file {@code name} in {@code dir}, gzipped or not; null when neither is there. */
    private static Path file(Path dir, String name) {
        for (Path p : List.of(dir.resolve(name + ".gz"), dir.resolve(name)))
            if (Files.isRegularFile(p)) return p;
        return null;
    }
}

package neuroflux.stages.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neuroflux.onnx.BadInputException;

/**
 * CIFAR-10 and CIFAR-100 in their published binary format: records of label bytes followed by 3 x 32 x 32 pixel
 * bytes (red, green, blue planes). CIFAR-10 has one label byte and files {@code data_batch_1.bin} ..
 * {@code data_batch_5.bin} and {@code test_batch.bin}; CIFAR-100 has a coarse and a fine label byte (the fine one,
 * 100 classes, is used) and files {@code train.bin} and {@code test.bin}.
 */
final class CifarSource {
    private static final int CHANNELS = 3;
    private static final int SIDE = 32;
    private static final int PIXELS = CHANNELS * SIDE * SIDE;

    /** One of the two variants: its name, folder names, files and label layout. */
    enum Variant {
        CIFAR10("cifar10", "CIFAR-10", "cifar-10-batches-bin",
                List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                        "data_batch_5.bin"),
                "test_batch.bin", 1, 0, 10),
        CIFAR100("cifar100", "CIFAR-100", "cifar-100-binary", List.of("train.bin"), "test.bin", 2, 1, 100);

        final String name;
        final String title;
        final String archiveFolder;
        final List<String> trainFiles;
        final String testFile;
        final int labelBytes;
        final int labelAt;
        final int classes;

        Variant(String name, String title, String archiveFolder, List<String> trainFiles, String testFile,
                int labelBytes, int labelAt, int classes) {
            this.name = name;
            this.title = title;
            this.archiveFolder = archiveFolder;
            this.trainFiles = trainFiles;
            this.testFile = testFile;
            this.labelBytes = labelBytes;
            this.labelAt = labelAt;
            this.classes = classes;
        }

        List<String> files() {
            List<String> all = new ArrayList<>(trainFiles);
            all.add(testFile);
            return all;
        }
    }

    private CifarSource() {}

    static SourceImages load(Variant variant, SearchPlaces places) {
        List<Path> folders = places.folders(variant.name, variant.archiveFolder);
        Path dir = SearchPlaces.first(folders,
                        d -> variant.files().stream().allMatch(f -> Files.isRegularFile(d.resolve(f))))
                .orElseThrow(() -> new BadInputException(variant.title + " not found: looked for "
                        + String.join(", ", variant.files()) + " in " + SearchPlaces.list(folders)
                        + "; download the binary version from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it"
                        + " and give its folder with --data-dir"));
        List<RawImages> train = new ArrayList<>();
        for (String f : variant.trainFiles) train.add(read(variant, dir.resolve(f)));
        return new SourceImages(RawImages.concat(train), read(variant, dir.resolve(variant.testFile)));
    }

    private static RawImages read(Variant variant, Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int record = variant.labelBytes + PIXELS;
        if (bytes.length == 0 || bytes.length % record != 0)
            throw new BadInputException(file + " is truncated or not a " + variant.title + " binary file: "
                    + bytes.length + " bytes is not a whole number of " + record + "-byte records");
        int n = bytes.length / record;
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = bytes[i * record + variant.labelAt] & 0xFF;
            System.arraycopy(bytes, i * record + variant.labelBytes, pixels, i * PIXELS, PIXELS);
        }
        return new RawImages(pixels, labels, CHANNELS, SIDE, SIDE, variant.classes).checkLabels(file.toString());
    }
}

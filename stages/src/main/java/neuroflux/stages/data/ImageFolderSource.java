package neuroflux.stages.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import neuroflux.onnx.BadInputException;

/**
 * Images in class folders: {@code PATH/train/<class>/<image>} and optionally {@code PATH/test/<class>/<image>}.
 * Classes are the training subfolders sorted by name (label 0 is the first). Images are PNG, JPEG, BMP or GIF files,
 * decoded with {@code javax.imageio}; all must have the size of the first training image and are converted to its
 * channel count (1 for grayscale, else 3 for RGB; alpha is dropped). Hidden files and files with other extensions
 * are skipped. Without a {@code test} folder the source has no test set and one is carved from the training images.
 */
final class ImageFolderSource {
    static final String PREFIX = "imagefolder:";
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private record Entry(Path file, int label) {}

    /** The channel count and size every image is made to have: those of the first image. */
    private record Format(int channels, int height, int width, Path first) {}

    private ImageFolderSource() {}

    static SourceImages load(Path root) {
        if (!Files.isDirectory(root)) throw new BadInputException("image folder " + root + " does not exist");
        Path trainDir = root.resolve("train");
        if (!Files.isDirectory(trainDir))
            throw new BadInputException("image folder " + root + " has no 'train' folder (expected "
                    + trainDir.resolve("<class>/<image>.png") + ")");
        List<String> classes = subfolders(trainDir);
        if (classes.isEmpty()) throw new BadInputException(trainDir + " has no class folders");
        List<Entry> train = entries(trainDir, classes, classes);
        Path testDir = root.resolve("test");
        List<Entry> test = Files.isDirectory(testDir) ? entries(testDir, subfolders(testDir), classes) : null;
        Format format = format(train.getFirst().file);
        return new SourceImages(decode(train, format, classes.size()),
                test == null ? null : decode(test, format, classes.size()));
    }

    private static List<String> subfolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The images of {@code folders} under {@code dir}, labelled by their folder's place in {@code classes}. */
    private static List<Entry> entries(Path dir, List<String> folders, List<String> classes) {
        List<Entry> entries = new ArrayList<>();
        for (String folder : folders) {
            int label = classes.indexOf(folder);
            if (label < 0)
                throw new BadInputException(dir.resolve(folder) + " is a class that " + dir.resolveSibling("train")
                        + " does not have (classes: " + String.join(", ", classes) + ")");
            try (Stream<Path> s = Files.list(dir.resolve(folder))) {
                s.filter(ImageFolderSource::isImage).sorted().forEach(f -> entries.add(new Entry(f, label)));
            } catch (IOException e) {
                throw new BadInputException("cannot list " + dir.resolve(folder) + ": " + e.getMessage(), e);
            }
        }
        if (entries.isEmpty())
            throw new BadInputException(dir + " holds no images (." + String.join(", .", EXTENSIONS.stream()
                    .sorted().toList()) + ") in its class folders");
        return entries;
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0 && Files.isRegularFile(file)
                && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Format format(Path first) {
        BufferedImage image = read(first);
        return new Format(isGray(image) ? 1 : 3, image.getHeight(), image.getWidth(), first);
    }

    private static RawImages decode(List<Entry> entries, Format format, int classes) {
        int sample = format.channels * format.height * format.width;
        byte[] pixels = new byte[Math.multiplyExact(entries.size(), sample)];
        int[] labels = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            BufferedImage image = read(e.file);
            if (image.getWidth() != format.width || image.getHeight() != format.height)
                throw new BadInputException(e.file + " is " + image.getWidth() + "x" + image.getHeight()
                        + " pixels but " + format.first + " is " + format.width + "x" + format.height
                        + "; all images must have one size");
            writePixels(image, format.channels, pixels, i * sample);
            labels[i] = e.label;
        }
        return new RawImages(pixels, labels, format.channels, format.height, format.width, classes);
    }

    private static BufferedImage read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) throw new BadInputException(file + " is not an image that javax.imageio can decode");
            return image;
        } catch (IOException e) {
            throw new BadInputException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isGray(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /** Writes {@code image} as {@code channels} planes of bytes at {@code offset}. */
    private static void writePixels(BufferedImage image, int channels, byte[] dst, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = w * h;
        if (isGray(image)) {
            // read the stored gray level directly: getRGB would pass it through a colour conversion that shifts it
            Raster raster = image.getRaster();
            double max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    byte v = (byte) Math.round(raster.getSample(x, y, 0) * 255 / max);
                    for (int c = 0; c < channels; c++) dst[offset + c * plane + y * w + x] = v;
                }
            return;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < plane; p++) {
            int r = (argb[p] >> 16) & 0xFF;
            int g = (argb[p] >> 8) & 0xFF;
            int b = argb[p] & 0xFF;
            if (channels == 1) {
                dst[offset + p] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
            } else {
                dst[offset + p] = (byte) r;
                dst[offset + plane + p] = (byte) g;
                dst[offset + 2 * plane + p] = (byte) b;
            }
        }
    }
}

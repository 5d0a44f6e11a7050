package neuroflux.stages.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Writes small data files in the published formats for tests. */
final class TestFiles {
    private TestFiles() {}

    /** An IDX file of unsigned bytes with the given dimensions and data, gzipped when the name ends in .gz. */
    static Path idx(Path file, int[] dims, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return write(file, b.array());
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = file.toString().endsWith(".gz")
                ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
        return file;
    }

    /**
     * A Fashion-MNIST-shaped set in {@code dir}: {@code train} and {@code test} images of 28 x 28 whose first pixel
     * is the image's number and the rest a pattern, labels the number mod 10.
     */
    static void fashionMnist(Path dir, int train, int test, boolean gzip) throws IOException {
        String gz = gzip ? ".gz" : "";
        for (var part : new Object[][] {{"train", train}, {"t10k", test}}) {
            int n = (Integer) part[1];
            byte[] pixels = new byte[n * 28 * 28];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < 28 * 28; p++) pixels[i * 784 + p] = (byte) (p * 7 + i * 13);
                pixels[i * 784] = (byte) i;
                labels[i] = (byte) (i % 10);
            }
            idx(dir.resolve(part[0] + "-images-idx3-ubyte" + gz), new int[] {n, 28, 28}, pixels);
            idx(dir.resolve(part[0] + "-labels-idx1-ubyte" + gz), new int[] {n}, labels);
        }
    }

    /** CIFAR records: {@code labelBytes} label bytes (each {@code label(i) + k}) then 3072 pixels, pixel 0 = i. */
    static byte[] cifarRecords(int n, int labelBytes, int firstId, java.util.function.IntUnaryOperator label) {
        int record = labelBytes + 3072;
        byte[] bytes = new byte[n * record];
        for (int i = 0; i < n; i++) {
            int id = firstId + i;
            for (int k = 0; k < labelBytes; k++) bytes[i * record + k] = (byte) (label.applyAsInt(id) + k);
            for (int p = 0; p < 3072; p++) bytes[i * record + labelBytes + p] = (byte) (p / 1024 * 50 + id + p % 7);
            bytes[i * record + labelBytes] = (byte) id;
        }
        return bytes;
    }

    static Path png(Path file, BufferedImage image) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    static BufferedImage rgb(int w, int h, int r, int g, int b) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) image.setRGB(x, y, (r << 16) | (g << 8) | b);
        return image;
    }

    static BufferedImage gray(int w, int h, int level) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) image.getRaster().setSample(x, y, 0, (level + x + y) & 0xFF);
        return image;
    }

    /** Places that hold nothing but {@code dataDir} (no environment variable, an empty system folder). */
    static SearchPlaces only(Path dataDir, Path emptySystemRoot) {
        return new SearchPlaces(dataDir, null, emptySystemRoot);
    }
}

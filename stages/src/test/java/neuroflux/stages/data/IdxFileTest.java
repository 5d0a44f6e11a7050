package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {
    @TempDir
    Path dir;

    @Test
    void readsPlainAndGzippedFilesAlike() throws Exception {
        byte[] data = {1, 2, 3, 4, 5, 6, (byte) 200, 8, 9, 10, 11, 12};
        IdxFile plain = IdxFile.read(TestFiles.idx(dir.resolve("a"), new int[] {3, 2, 2}, data), 3);
        IdxFile gzipped = IdxFile.read(TestFiles.idx(dir.resolve("a.gz"), new int[] {3, 2, 2}, data), 3);
        assertArrayEquals(new int[] {3, 2, 2}, plain.dims());
        assertArrayEquals(data, plain.data());
        assertArrayEquals(data, gzipped.data());
    }

    @Test
    void aTruncatedFileSaysSo() throws Exception {
        Path file = TestFiles.idx(dir.resolve("t"), new int[] {3, 2, 2}, new byte[12]);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));
        var e = assertThrows(BadInputException.class, () -> IdxFile.read(file, 3));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aTruncatedGzipFileSaysSo() throws Exception {
        Path whole = TestFiles.idx(dir.resolve("w.gz"), new int[] {100, 10, 10}, new byte[10000]);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = TestFiles.write(dir.resolve("cut"), Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(BadInputException.class, () -> IdxFile.read(cut, 3));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aWrongMagicNumberIsRejected() throws Exception {
        Path labels = TestFiles.idx(dir.resolve("labels"), new int[] {4}, new byte[4]);
        var e = assertThrows(BadInputException.class, () -> IdxFile.read(labels, 3));
        assertTrue(e.getMessage().contains("magic number 0x00000801, expected 0x00000803"), e.getMessage());
        Path text = TestFiles.write(dir.resolve("text"), "not an idx file at all".getBytes());
        assertThrows(BadInputException.class, () -> IdxFile.read(text, 1));
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        Path file = TestFiles.idx(dir.resolve("long"), new int[] {2}, new byte[3]);
        var e = assertThrows(BadInputException.class, () -> IdxFile.read(file, 1));
        assertTrue(e.getMessage().contains("1 bytes after"), e.getMessage());
    }
}

package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarSourceTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheFiveCifar10BatchesInOrderFromTheArchiveFolder() throws Exception {
        Path dir = tmp.resolve("cifar-10-batches-bin");
        for (int b = 1; b <= 5; b++)
            TestFiles.write(dir.resolve("data_batch_" + b + ".bin"), TestFiles.cifarRecords(3, 1, (b - 1) * 3,
                    id -> id % 10));
        TestFiles.write(dir.resolve("test_batch.bin"), TestFiles.cifarRecords(4, 1, 100, id -> 9 - id % 10));

        SourceImages images = CifarSource.load(CifarSource.Variant.CIFAR10, TestFiles.only(tmp, tmp.resolve("s")));
        assertEquals(15, images.train().size());
        assertEquals(4, images.test().size());
        assertArrayEquals(new long[] {3, 32, 32}, images.train().shape());
        assertEquals(10, images.train().classes());
        for (int i = 0; i < 15; i++) {
            assertEquals(i, images.train().pixels()[i * 3072], "sample " + i + " is in file order");
            assertEquals(i % 10, images.train().labels()[i]);
            // the green plane starts 1024 bytes in
            assertEquals((byte) (50 + i + 1024 % 7), images.train().pixels()[i * 3072 + 1024]);
        }
        assertEquals(9 - 100 % 10, images.test().labels()[0]);
    }

    @Test
    void cifar100UsesTheFineLabel() throws Exception {
        // label bytes: coarse = id % 20, fine = coarse + 1 (the helper writes label(i) + k for the k-th byte)
        TestFiles.write(tmp.resolve("train.bin"), TestFiles.cifarRecords(5, 2, 0, id -> id * 19 % 20));
        TestFiles.write(tmp.resolve("test.bin"), TestFiles.cifarRecords(2, 2, 5, id -> id));
        SourceImages images = CifarSource.load(CifarSource.Variant.CIFAR100, TestFiles.only(tmp, tmp.resolve("s")));
        assertEquals(100, images.train().classes());
        for (int i = 0; i < 5; i++) {
            assertEquals(i * 19 % 20 + 1, images.train().labels()[i]);
            assertEquals(i, images.train().pixels()[i * 3072]);
        }
        assertArrayEquals(new int[] {6, 7}, images.test().labels());
    }

    @Test
    void aTruncatedBatchIsOneClearError() throws Exception {
        for (int b = 1; b <= 5; b++)
            TestFiles.write(tmp.resolve("data_batch_" + b + ".bin"), TestFiles.cifarRecords(2, 1, 0, id -> 1));
        byte[] test = TestFiles.cifarRecords(2, 1, 0, id -> 1);
        Path file = TestFiles.write(tmp.resolve("test_batch.bin"), java.util.Arrays.copyOf(test, test.length - 1));
        var e = assertThrows(BadInputException.class,
                () -> CifarSource.load(CifarSource.Variant.CIFAR10, TestFiles.only(tmp, tmp.resolve("s"))));
        assertTrue(e.getMessage().startsWith(file + " is truncated"), e.getMessage());
    }

    @Test
    void aMissingBatchNamesTheFilesAndPlaces() throws Exception {
        for (int b = 1; b <= 4; b++)
            TestFiles.write(tmp.resolve("data_batch_" + b + ".bin"), TestFiles.cifarRecords(1, 1, 0, id -> 1));
        TestFiles.write(tmp.resolve("test_batch.bin"), TestFiles.cifarRecords(1, 1, 0, id -> 1));
        var e = assertThrows(BadInputException.class,
                () -> CifarSource.load(CifarSource.Variant.CIFAR10, TestFiles.only(tmp, tmp.resolve("s"))));
        assertTrue(e.getMessage().startsWith("CIFAR-10 not found") && e.getMessage().contains("data_batch_5.bin")
                && e.getMessage().contains(tmp.resolve("cifar-10-batches-bin").toString()), e.getMessage());
    }

    @Test
    void aLabelBeyondTheClassesIsRejected() throws Exception {
        for (int b = 1; b <= 5; b++)
            TestFiles.write(tmp.resolve("data_batch_" + b + ".bin"), TestFiles.cifarRecords(1, 1, 0, id -> 3));
        TestFiles.write(tmp.resolve("test_batch.bin"), TestFiles.cifarRecords(1, 1, 0, id -> 10));
        var e = assertThrows(BadInputException.class,
                () -> CifarSource.load(CifarSource.Variant.CIFAR10, TestFiles.only(tmp, tmp.resolve("s"))));
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }
}

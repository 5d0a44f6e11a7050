package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistSourceTest {
    @TempDir
    Path tmp;

    @Test
    void loadsTheInstalledDataSet() {
        Path system = Path.of("/usr/share/datasets");
        assumeTrue(Files.isDirectory(system.resolve("fashion-mnist")), "dataset-fashion-mnist is not installed");
        SourceImages images = FashionMnistSource.load(new SearchPlaces(null, null, system));
        assertEquals(60000, images.train().size());
        assertEquals(10000, images.test().size());
        assertArrayEquals(new long[] {1, 28, 28}, images.train().shape());
        assertEquals(10, images.train().classes());
        int[] perClass = new int[10];
        for (int label : images.train().labels()) perClass[label]++;
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, perClass);
        // the published statistics of Fashion-MNIST's training images: mean 0.2860, std 0.3530 (of 255)
        int[] all = new int[60000];
        java.util.Arrays.setAll(all, i -> i);
        ChannelNormalization n = ChannelNormalization.of(images.train(), all);
        assertEquals(0.2860, n.mean()[0] / 255, 5e-4);
        assertEquals(0.3530, n.std()[0] / 255, 5e-4);
    }

    @Test
    void looksInTheDataDirThenTheEnvironmentThenTheSystemFolder() throws Exception {
        Path fromEnv = tmp.resolve("env");
        Path fromSystem = tmp.resolve("system");
        TestFiles.fashionMnist(fromEnv, 5, 3, true);
        TestFiles.fashionMnist(fromSystem.resolve("fashion-mnist"), 7, 3, false);
        Path missing = tmp.resolve("nothing-here");

        assertEquals(5, FashionMnistSource.load(new SearchPlaces(missing, fromEnv.toString(), fromSystem))
                .train().size());
        assertEquals(7, FashionMnistSource.load(new SearchPlaces(missing, null, fromSystem)).train().size());
        assertEquals(7, FashionMnistSource.load(new SearchPlaces(fromSystem, null, missing)).train().size(),
                "a data dir holding a fashion-mnist folder is searched too");
    }

    @Test
    void keepsPixelsAndLabelsInOrder() throws Exception {
        TestFiles.fashionMnist(tmp.resolve("d"), 12, 4, false);
        SourceImages images = FashionMnistSource.load(TestFiles.only(tmp.resolve("d"), tmp));
        for (int i = 0; i < 12; i++) {
            assertEquals(i, images.train().pixels()[i * 784]);
            assertEquals(i % 10, images.train().labels()[i]);
        }
        assertEquals(4, images.test().size());
    }

    @Test
    void missingFilesNameEveryPlaceAndHowToGetThem() {
        Path dataDir = tmp.resolve("given");
        var e = assertThrows(BadInputException.class,
                () -> FashionMnistSource.load(new SearchPlaces(dataDir, "/env/dir", tmp.resolve("sys"))));
        String m = e.getMessage();
        assertTrue(m.contains(dataDir.toString()) && m.contains("/env/dir")
                && m.contains(tmp.resolve("sys/fashion-mnist").toString()), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist") && m.contains("--data-dir"), m);
        assertTrue(m.contains("train-images-idx3-ubyte"), m);
    }

    @Test
    void aLabelFileOfAnotherLengthIsRejected() throws Exception {
        Path d = tmp.resolve("d");
        TestFiles.fashionMnist(d, 6, 3, false);
        TestFiles.idx(d.resolve("train-labels-idx1-ubyte"), new int[] {5}, new byte[5]);
        var e = assertThrows(BadInputException.class, () -> FashionMnistSource.load(TestFiles.only(d, tmp)));
        assertTrue(e.getMessage().contains("has 5 labels but"), e.getMessage());
    }

    @Test
    void aLabelOutsideTheTenClassesIsRejected() throws Exception {
        Path d = tmp.resolve("d");
        TestFiles.fashionMnist(d, 3, 3, false);
        TestFiles.idx(d.resolve("t10k-labels-idx1-ubyte"), new int[] {3}, new byte[] {1, 10, 2});
        var e = assertThrows(BadInputException.class, () -> FashionMnistSource.load(TestFiles.only(d, tmp)));
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void aTruncatedImageFileIsOneClearError() throws Exception {
        Path d = tmp.resolve("d");
        TestFiles.fashionMnist(d, 4, 3, false);
        Path images = d.resolve("t10k-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        var e = assertThrows(BadInputException.class, () -> FashionMnistSource.load(TestFiles.only(d, tmp)));
        assertTrue(e.getMessage().contains(images + " is truncated"), e.getMessage());
    }
}

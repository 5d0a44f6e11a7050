package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
    @TempDir
    Path root;

    @Test
    void readsRgbImagesWithClassesSortedByName() throws Exception {
        // written out of order: labels must follow the folder names, not the order of creation
        TestFiles.png(root.resolve("train/zebra/a.png"), TestFiles.rgb(4, 3, 10, 20, 30));
        TestFiles.png(root.resolve("train/apple/b.png"), TestFiles.rgb(4, 3, 200, 100, 0));
        TestFiles.png(root.resolve("train/apple/a.png"), TestFiles.rgb(4, 3, 1, 2, 3));
        TestFiles.png(root.resolve("test/zebra/c.png"), TestFiles.rgb(4, 3, 5, 6, 7));
        Files.writeString(root.resolve("train/apple/notes.txt"), "not an image");

        SourceImages images = ImageFolderSource.load(root);
        RawImages train = images.train();
        assertArrayEquals(new long[] {3, 3, 4}, train.shape());
        assertEquals(2, train.classes());
        assertArrayEquals(new int[] {0, 0, 1}, train.labels());
        int plane = 12;
        // apple/a.png, then apple/b.png, then zebra/a.png; each a C x H x W block of red, green, blue planes
        assertEquals(1, train.pixels()[0]);
        assertEquals(2, train.pixels()[plane]);
        assertEquals(3, train.pixels()[2 * plane + 11]);
        assertEquals((byte) 200, train.pixels()[3 * plane]);
        assertEquals(30, train.pixels()[2 * 3 * plane + 2 * plane + 5]);
        assertArrayEquals(new int[] {1}, images.test().labels());
        assertEquals(5, images.test().pixels()[0]);
    }

    @Test
    void grayscaleFirstImageMakesEveryImageOneChannel() throws Exception {
        TestFiles.png(root.resolve("train/a/1.png"), TestFiles.gray(5, 5, 40));
        TestFiles.png(root.resolve("train/b/1.png"), TestFiles.rgb(5, 5, 100, 100, 100));
        RawImages train = ImageFolderSource.load(root).train();
        assertArrayEquals(new long[] {1, 5, 5}, train.shape());
        assertEquals(40, train.pixels()[0], "a gray level is kept exactly");
        assertEquals(40 + 2 + 3, train.pixels()[3 * 5 + 2]);
        assertEquals(100, train.pixels()[25], "an RGB gray converts to its own level");
    }

    @Test
    void withoutATestFolderThereIsNoTestSet() throws Exception {
        TestFiles.png(root.resolve("train/a/1.png"), TestFiles.gray(2, 2, 0));
        assertNull(ImageFolderSource.load(root).test());
    }

    @Test
    void imagesOfAnotherSizeNameTheFile() throws Exception {
        TestFiles.png(root.resolve("train/a/1.png"), TestFiles.rgb(8, 8, 0, 0, 0));
        Path odd = TestFiles.png(root.resolve("train/b/2.png"), TestFiles.rgb(8, 7, 0, 0, 0));
        var e = assertThrows(BadInputException.class, () -> ImageFolderSource.load(root));
        assertTrue(e.getMessage().startsWith(odd + " is 8x7 pixels") && e.getMessage().contains("one size"),
                e.getMessage());
    }

    @Test
    void aFileThatIsNotAnImageIsNamed() throws Exception {
        TestFiles.png(root.resolve("train/a/1.png"), TestFiles.rgb(2, 2, 0, 0, 0));
        Path broken = TestFiles.write(root.resolve("train/a/2.png"), "garbage".getBytes());
        var e = assertThrows(BadInputException.class, () -> ImageFolderSource.load(root));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }

    @Test
    void aTestClassUnknownToTrainingIsRejected() throws Exception {
        TestFiles.png(root.resolve("train/a/1.png"), TestFiles.rgb(2, 2, 0, 0, 0));
        TestFiles.png(root.resolve("test/b/1.png"), TestFiles.rgb(2, 2, 0, 0, 0));
        var e = assertThrows(BadInputException.class, () -> ImageFolderSource.load(root));
        assertTrue(e.getMessage().contains("test/b is a class that"), e.getMessage());
    }

    @Test
    void missingOrEmptyFoldersAreClearErrors() throws Exception {
        var missing = assertThrows(BadInputException.class, () -> ImageFolderSource.load(root.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        var noTrain = assertThrows(BadInputException.class, () -> ImageFolderSource.load(root));
        assertTrue(noTrain.getMessage().contains("has no 'train' folder"), noTrain.getMessage());
        Files.createDirectories(root.resolve("train/a"));
        var empty = assertThrows(BadInputException.class, () -> ImageFolderSource.load(root));
        assertTrue(empty.getMessage().contains("holds no images"), empty.getMessage());
    }
}

package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
    private static final long[] MNIST_SHAPE = {1, 28, 28};

    @TempDir
    Path tmp;

    private SearchPlaces places;

    @BeforeEach
    void writeASmallFashionMnist() throws Exception {
        TestFiles.fashionMnist(tmp.resolve("fm"), 200, 20, true);
        places = TestFiles.only(tmp.resolve("fm"), tmp.resolve("system"));
    }

    private DataSplits load(DataOptions options) {
        return DataSources.load(options, MNIST_SHAPE, 10, places);
    }

    private static int[] sourceIndices(Dataset d) {
        NormalizedImages n = (NormalizedImages) d;
        return IntStream.range(0, n.size()).map(n::sourceIndex).toArray();
    }

    @Test
    void validationIsCarvedFromTrainingDisjointAndRepeatably() {
        DataSplits splits = load(DataOptions.defaults());
        assertEquals("fashion-mnist", splits.name());
        assertEquals(180, splits.train().size());
        assertEquals(20, splits.validation().size());
        assertEquals(20, splits.test().size());
        Set<Integer> seen = new HashSet<>();
        for (int i : sourceIndices(splits.train())) assertTrue(seen.add(i));
        for (int i : sourceIndices(splits.validation())) assertTrue(seen.add(i), "sample " + i + " is in both");
        assertEquals(200, seen.size());

        DataSplits again = load(DataOptions.defaults());
        assertArrayEquals(sourceIndices(splits.validation()), sourceIndices(again.validation()));
        assertArrayEquals(sourceIndices(splits.train()), sourceIndices(again.train()));
        DataSplits otherSeed = load(DataOptions.defaults().withSeed(1));
        assertFalse(Arrays.equals(sourceIndices(splits.validation()), sourceIndices(otherSeed.validation())));
    }

    @Test
    void samplesKeepTheirLabels() {
        DataSplits splits = load(DataOptions.defaults());
        NormalizedImages train = (NormalizedImages) splits.train();
        for (int i = 0; i < train.size(); i++) assertEquals(train.sourceIndex(i) % 10, train.label(i));
    }

    @Test
    void validationMayBeACount() {
        DataSplits splits = load(DataOptions.defaults().withValidation(33));
        assertEquals(33, splits.validation().size());
        assertEquals(167, splits.train().size());
        var e = assertThrows(BadInputException.class, () -> load(DataOptions.defaults().withValidation(200)));
        assertTrue(e.getMessage().contains("leaves none of the 200"), e.getMessage());
    }

    @Test
    void limitTrainShrinksOnlyTheTrainingSplit() {
        DataSplits all = load(DataOptions.defaults());
        DataSplits fifty = load(DataOptions.defaults().withLimitTrain(50));
        DataSplits ten = load(DataOptions.defaults().withLimitTrain(10));
        assertEquals(50, fifty.train().size());
        assertEquals(10, ten.train().size());
        assertArrayEquals(sourceIndices(all.validation()), sourceIndices(fifty.validation()));
        assertEquals(20, fifty.test().size());
        Set<Integer> inFifty = new HashSet<>();
        for (int i : sourceIndices(fifty.train())) inFifty.add(i);
        for (int i : sourceIndices(ten.train())) assertTrue(inFifty.contains(i), "a smaller limit keeps a subset");
        assertEquals(180, load(DataOptions.defaults().withLimitTrain(1000)).train().size());
    }

    @Test
    void limitZeroIsRejected() {
        var e = assertThrows(BadInputException.class, () -> DataOptions.defaults().withLimitTrain(0));
        assertTrue(e.getMessage().contains("--limit-train must be at least 1"), e.getMessage());
    }

    @Test
    void normalisationGivesZeroMeanAndUnitStdOnTrainingPerChannel() {
        DataSplits splits = DataSources.load(DataOptions.defaults().withName("synthetic").withSeed(3),
                new long[] {3, 8, 8}, 5, places);
        Dataset train = splits.train();
        int plane = 64;
        float[] x = new float[train.sampleSize()];
        double[] sum = new double[3];
        double[] squares = new double[3];
        for (int i = 0; i < train.size(); i++) {
            train.copySample(i, x, 0);
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < plane; p++) {
                    sum[c] += x[c * plane + p];
                    squares[c] += (double) x[c * plane + p] * x[c * plane + p];
                }
        }
        double n = (double) train.size() * plane;
        for (int c = 0; c < 3; c++) {
            assertEquals(0, sum[c] / n, 1e-5, "mean of channel " + c);
            assertEquals(1, Math.sqrt(squares[c] / n - (sum[c] / n) * (sum[c] / n)), 1e-5, "std of channel " + c);
        }
        ChannelNormalization stats = ((NormalizedImages) train).normalization();
        assertSame(stats, ((NormalizedImages) splits.validation()).normalization());
        assertSame(stats, ((NormalizedImages) splits.test()).normalization());
    }

    @Test
    void anImageFolderWithoutTestGetsACarvedOne() throws Exception {
        for (int i = 0; i < 10; i++)
            TestFiles.png(tmp.resolve("img/train/" + (i % 2 == 0 ? "even" : "odd") + "/" + i + ".png"),
                    TestFiles.gray(4, 4, i * 20));
        DataSplits splits = DataSources.load(DataOptions.defaults().withName("imagefolder:" + tmp.resolve("img")),
                new long[] {1, 4, 4}, 2, places);
        assertEquals(2, splits.test().size());
        assertEquals(1, splits.validation().size());
        assertEquals(7, splits.train().size());
        Set<Integer> seen = new HashSet<>();
        for (Dataset d : new Dataset[] {splits.train(), splits.validation(), splits.test()})
            for (int i : sourceIndices(d)) assertTrue(seen.add(i), "sample " + i + " is in two splits");
        assertEquals(10, seen.size());
    }

    @Test
    void aShapeOtherThanTheModelsIsRejected() {
        var e = assertThrows(BadInputException.class,
                () -> DataSources.load(DataOptions.defaults(), new long[] {3, 32, 32}, 10, places));
        assertEquals("the data fashion-mnist has samples of 1x28x28 (C x H x W) but the model takes 3x32x32",
                e.getMessage());
        assertEquals(180, DataSources.load(DataOptions.defaults(), new long[] {1, -1, -1}, 10, places).train().size(),
                "open sizes match any");
    }

    @Test
    void moreClassesThanTheModelHasAreRejected() {
        var e = assertThrows(BadInputException.class,
                () -> DataSources.load(DataOptions.defaults(), MNIST_SHAPE, 2, places));
        assertTrue(e.getMessage().contains("has 10 classes but the model tells only 2 apart"), e.getMessage());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        var e = assertThrows(BadInputException.class, () -> load(DataOptions.defaults().withName("mnist-ish")));
        assertEquals("unknown data 'mnist-ish' (known: fashion-mnist, cifar10, cifar100, imagefolder:PATH, synthetic)",
                e.getMessage());
        assertThrows(BadInputException.class, () -> load(DataOptions.defaults().withName("imagefolder:")));
    }

    @Test
    void syntheticDataNeedsAShapeWhenTheModelLeavesItOpen() {
        var e = assertThrows(BadInputException.class, () -> DataSources.load(
                DataOptions.defaults().withName("synthetic"), new long[] {1, -1, -1}, 10, places));
        assertTrue(e.getMessage().contains("open sizes 1x?x?"), e.getMessage());
        DataSplits splits = DataSources.load(DataOptions.defaults().withName("synthetic")
                .withSyntheticShape(new long[] {2, 6, 5}).withSyntheticSizes(40, 8).withSyntheticClasses(3),
                new long[] {2, -1, -1}, 0, places);
        assertArrayEquals(new long[] {2, 6, 5}, splits.train().sampleShape());
        assertEquals(3, splits.train().classes());
        assertEquals(36, splits.train().size());
        assertEquals(8, splits.test().size());
    }
}

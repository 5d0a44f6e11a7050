package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticSourceTest {
    @Test
    void equalSeedsGiveEqualBytesAndOtherSeedsOthers() {
        SourceImages a = SyntheticSource.generate(new long[] {3, 8, 8}, 4, 20, 6, 7);
        SourceImages b = SyntheticSource.generate(new long[] {3, 8, 8}, 4, 20, 6, 7);
        SourceImages c = SyntheticSource.generate(new long[] {3, 8, 8}, 4, 20, 6, 8);
        assertArrayEquals(a.train().pixels(), b.train().pixels());
        assertArrayEquals(a.test().pixels(), b.test().pixels());
        assertFalse(Arrays.equals(a.train().pixels(), c.train().pixels()));
        assertFalse(Arrays.equals(a.train().pixels(), a.test().pixels()), "test samples are drawn apart");
        assertArrayEquals(new long[] {3, 8, 8}, a.train().shape());
        assertEquals(20, a.train().size());
        assertEquals(6, a.test().size());
    }

    @Test
    void classesAreBalanced() {
        RawImages train = SyntheticSource.generate(new long[] {1, 4, 4}, 5, 50, 5, 1).train();
        int[] perClass = new int[5];
        for (int label : train.labels()) perClass[label]++;
        assertArrayEquals(new int[] {10, 10, 10, 10, 10}, perClass);
    }

    @Test
    void aNearestClassMeanClassifierBeatsChanceByFar() {
        for (long[] shape : new long[][] {{1, 28, 28}, {3, 32, 32}}) {
            DataSplits splits = DataSources.load(DataOptions.defaults().withName("synthetic"), shape, 10);
            double accuracy = nearestClassMeanAccuracy(splits.train(), splits.test());
            assertTrue(accuracy > 0.9, Arrays.toString(shape) + ": accuracy " + accuracy + ", chance 0.1");
        }
    }

    /** Fits one mean per class on {@code train} and returns the share of {@code test} nearest its class's mean. */
    static double nearestClassMeanAccuracy(Dataset train, Dataset test) {
        int k = train.classes();
        int size = train.sampleSize();
        double[][] means = new double[k][size];
        int[] counts = new int[k];
        float[] x = new float[size];
        for (int i = 0; i < train.size(); i++) {
            train.copySample(i, x, 0);
            int label = train.label(i);
            counts[label]++;
            for (int p = 0; p < size; p++) means[label][p] += x[p];
        }
        for (int c = 0; c < k; c++)
            for (int p = 0; p < size; p++) means[c][p] /= Math.max(1, counts[c]);
        int right = 0;
        for (int i = 0; i < test.size(); i++) {
            test.copySample(i, x, 0);
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double d = 0;
                for (int p = 0; p < size; p++) d += (x[p] - means[c][p]) * (x[p] - means[c][p]);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            if (best == test.label(i)) right++;
        }
        return (double) right / test.size();
    }
}

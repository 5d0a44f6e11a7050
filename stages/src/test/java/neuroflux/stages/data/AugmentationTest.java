package neuroflux.stages.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static final long[] SHAPE = {2, 5, 6};

    private static float[] sample() {
        float[] x = new float[60];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        return x;
    }

    @Test
    void flipAloneMirrorsEveryRow() {
        Augmentation flip = new Augmentation(0, true);
        // find a seed whose draw flips, then check the image against a hand mirror
        for (long seed = 0; seed < 10; seed++) {
            float[] x = sample();
            flip.apply(x, 0, SHAPE, new SplittableRandom(seed));
            if (Arrays.equals(x, sample())) continue;
            for (int row = 0; row < 10; row++)
                for (int col = 0; col < 6; col++) assertEquals(row * 6 + (5 - col) + 1, x[row * 6 + col]);
            return;
        }
        throw new AssertionError("no flip in 10 draws");
    }

    @Test
    void cropShiftsAndFillsTheBorderWithZero() {
        Augmentation crop = new Augmentation(2, false);
        boolean shifted = false;
        for (long seed = 0; seed < 20; seed++) {
            float[] x = sample();
            crop.apply(x, 0, SHAPE, new SplittableRandom(seed));
            // every value is 0 (padding) or a value of the same channel moved by at most 2 rows and columns
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < 5; y++)
                    for (int col = 0; col < 6; col++) {
                        float v = x[(c * 5 + y) * 6 + col];
                        if (v == 0) continue;
                        int source = (int) v - 1;
                        assertEquals(c, source / 30);
                        assertTrue(Math.abs(source % 30 / 6 - y) <= 2 && Math.abs(source % 6 - col) <= 2);
                    }
            shifted |= !Arrays.equals(x, sample());
        }
        assertTrue(shifted);
    }

    @Test
    void equalRandomStreamsGiveEqualResultsAndOnlyTheSampleChanges() {
        Augmentation both = new Augmentation(2, true);
        float[] a = new float[80];
        float[] b = new float[80];
        Arrays.fill(a, -7);
        Arrays.fill(b, -7);
        System.arraycopy(sample(), 0, a, 10, 60);
        System.arraycopy(sample(), 0, b, 10, 60);
        both.apply(a, 10, SHAPE, new SplittableRandom(42));
        both.apply(b, 10, SHAPE, new SplittableRandom(42));
        assertArrayEquals(a, b);
        for (int i = 0; i < 10; i++) assertEquals(-7, a[i]);
        for (int i = 70; i < 80; i++) assertEquals(-7, a[i]);
        assertFalse(sameForAllSeeds(both), "some draws change the sample");
    }

    private static boolean sameForAllSeeds(Augmentation aug) {
        for (long seed = 0; seed < 10; seed++) {
            float[] x = sample();
            aug.apply(x, 0, SHAPE, new SplittableRandom(seed));
            if (!Arrays.equals(x, sample())) return false;
        }
        return true;
    }

    @Test
    void noneChangesNothing() {
        float[] x = sample();
        assertFalse(Augmentation.NONE.changesSamples());
        Augmentation.NONE.apply(x, 0, SHAPE, new SplittableRandom(1));
        assertArrayEquals(sample(), x);
    }
}

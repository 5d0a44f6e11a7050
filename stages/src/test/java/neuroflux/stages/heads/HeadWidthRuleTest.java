package neuroflux.stages.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadWidthRuleTest {
    /** A unit that holds three maps of its output size per sample (conv, batch norm, ReLU), float32. */
    private static long unitActivation(long c, long h, long w) {
        return 3 * c * h * w * 4;
    }

    /** A unit of that memory whose multiply-adds never bind (memory alone decides). */
    private static UnitCost memory(long bytes) {
        return new UnitCost(bytes, Long.MAX_VALUE / 4);
    }

    @Test
    void anEarlyHighResolutionUnitGetsFewFilters() {
        // 64x32x32: unit 786,432 B/sample; head per filter (3*1024 + 2*2 pooled)*4 = 12,304 B;
        // half the unit allows 31.96 filters -> 31 -> a multiple of 8: 24
        assertEquals(12_304, HeadWidthRule.activationBytesPerSamplePerFilter(32, 32));
        assertEquals(24, HeadWidthRule.adaptive().filters(64, 32, 32, memory(unitActivation(64, 32, 32))));
    }

    @Test
    void aLateLowResolutionUnitGetsMany() {
        // 512x2x2: unit 24,576 B/sample; no pooling, head per filter 3*4*4 = 48 B; half allows 256
        assertEquals(48, HeadWidthRule.activationBytesPerSamplePerFilter(2, 2));
        assertEquals(256, HeadWidthRule.adaptive().filters(512, 2, 2, memory(unitActivation(512, 2, 2))));
        // 128x8x8: unit 98,304 B; per filter (192 + 4)*4 = 784 B; 49,152/784 = 62.7 -> 56
        assertEquals(56, HeadWidthRule.adaptive().filters(128, 8, 8, memory(unitActivation(128, 8, 8))));
    }

    @Test
    void boundsWin() {
        HeadWidthRule.Adaptive rule = HeadWidthRule.adaptive();
        assertEquals(256, rule.filters(512, 1, 1, memory(1L << 30)), "capped at the maximum");
        assertEquals(8, rule.filters(3, 224, 224, memory(1000)), "never fewer than the minimum");
        assertFalse(rule.meetsFraction(8, 224, 224, 1000), "and then the fraction is not met");
    }

    @Test
    void theChoiceIsTheWidestWithinTheFraction() {
        Random random = new Random(7);
        HeadWidthRule.Adaptive rule = new HeadWidthRule.Adaptive(16, 128, 16, 0.3);
        for (int i = 0; i < 500; i++) {
            long c = 1 + random.nextInt(512);
            long h = 1 + random.nextInt(64);
            long w = 1 + random.nextInt(64);
            long act = (long) (unitActivation(c, h, w) * (0.2 + 3 * random.nextDouble()));
            int f = rule.filters(c, h, w, memory(act));
            String at = c + "x" + h + "x" + w + " act " + act + " -> " + f;
            assertTrue(f >= 16 && f <= 128 && f % 16 == 0, at);
            if (f > 16) assertTrue(rule.meetsFraction(f, h, w, act), at);
            if (f < 128) assertFalse(rule.meetsFraction(f + 16, h, w, act), at);
        }
    }

    @Test
    void aCheapUnitWithWideOutputGetsAHeadBoundedByItsCompute() {
        // vgg11's first unit: a 3x3 convolution from 1 channel to 64 at 28x28, then 2x2 max pooling to 64x14x14.
        long unitMacs = 64L * 9 * 28 * 28; // 451,584
        long unitBytes = 3L * 64 * 28 * 28 * 4 + 64L * 14 * 14 * 4; // conv, bn, relu at 28x28; pool at 14x14
        // memory alone: (0.5 * 652,288) / ((3*196 + 4)*4 = 2,368 B per filter) = 137.7 -> 136 filters
        assertEquals(136, new HeadWidthRule.Adaptive(8, 256, 8, 0.5)
                .filters(64, 14, 14, new UnitCost(unitBytes, unitMacs)));
        // per filter the head's convolution does 64*9*196 = 112,896 multiply-adds; the unit's allow 4 -> min 8
        HeadWidthRule.Adaptive rule = HeadWidthRule.adaptive();
        UnitCost unit = new UnitCost(unitBytes, unitMacs);
        assertEquals(112_896, HeadWidthRule.convolutionMultiplyAddsPerFilter(64, 14, 14));
        assertEquals(8, rule.filters(64, 14, 14, unit));
        assertFalse(rule.meetsComputeFraction(8, 64, 14, 14, unit), "the minimum wins over the bound");
        // its second unit: 64 -> 128 at 14x14 (14,450,688 multiply-adds), output 128x7x7 after pooling:
        // they allow 14,450,688 / (128*9*49 = 56,448) = 256 filters, as does the memory bound; half of them 128
        UnitCost second = new UnitCost(3L * 128 * 14 * 14 * 4 + 128L * 49 * 4, 128L * 64 * 9 * 196);
        assertEquals(256, new HeadWidthRule.Adaptive(8, 256, 8, 0.5).filters(128, 7, 7, second));
        assertEquals(256, rule.filters(128, 7, 7, second));
        assertTrue(rule.meetsComputeFraction(256, 128, 7, 7, second));
        HeadWidthRule.Adaptive half = new HeadWidthRule.Adaptive(8, 256, 8, 0.5, 0.5);
        assertEquals(128, half.filters(128, 7, 7, second));
        assertTrue(half.meetsComputeFraction(128, 128, 7, 7, second));
        assertFalse(half.meetsComputeFraction(136, 128, 7, 7, second));
    }

    @Test
    void theChoiceIsTheWidestWithinBothFractions() {
        Random random = new Random(11);
        HeadWidthRule.Adaptive rule = new HeadWidthRule.Adaptive(8, 256, 8, 0.4, 0.7);
        for (int i = 0; i < 500; i++) {
            long c = 1 + random.nextInt(512);
            long h = 1 + random.nextInt(32);
            long w = 1 + random.nextInt(32);
            UnitCost unit = new UnitCost((long) (unitActivation(c, h, w) * (0.2 + 3 * random.nextDouble())),
                    (long) (9 * c * c * h * w * (0.01 + 3 * random.nextDouble())));
            int f = rule.filters(c, h, w, unit);
            String at = c + "x" + h + "x" + w + " " + unit + " -> " + f;
            assertTrue(f >= 8 && f <= 256 && f % 8 == 0, at);
            if (f > 8) {
                assertTrue(rule.meetsFraction(f, h, w, unit.activationBytesPerSample()), at);
                assertTrue(rule.meetsComputeFraction(f, c, h, w, unit), at);
            }
            if (f < 256) {
                assertFalse(rule.meetsFraction(f + 8, h, w, unit.activationBytesPerSample())
                        && rule.meetsComputeFraction(f + 8, c, h, w, unit), at);
            }
        }
    }

    @Test
    void fixedRulesIgnoreMemory() {
        assertEquals(64, HeadWidthRule.classicLocalLearning().filters(64, 32, 32, memory(1)));
        assertEquals(512, HeadWidthRule.classicLocalLearning().filters(512, 2, 2, memory(1)));
        assertEquals(128, new HeadWidthRule.Fixed(128).filters(3, 224, 224, memory(1)));
    }

    @Test
    void refusesNonsenseBounds() {
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(16, 8, 8, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(12, 256, 8, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(8, 256, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(8, 256, 8, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new UnitCost(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Fixed(0));
    }
}

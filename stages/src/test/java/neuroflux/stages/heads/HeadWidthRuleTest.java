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

    @Test
    void anEarlyHighResolutionUnitGetsFewFilters() {
        // 64x32x32: unit 786,432 B/sample; head per filter (3*1024 + 2*2 pooled)*4 = 12,304 B;
        // half the unit allows 31.96 filters -> 31 -> a multiple of 8: 24
        assertEquals(12_304, HeadWidthRule.activationBytesPerSamplePerFilter(32, 32));
        assertEquals(24, HeadWidthRule.adaptive().filters(64, 32, 32, unitActivation(64, 32, 32)));
    }

    @Test
    void aLateLowResolutionUnitGetsMany() {
        // 512x2x2: unit 24,576 B/sample; no pooling, head per filter 3*4*4 = 48 B; half allows 256
        assertEquals(48, HeadWidthRule.activationBytesPerSamplePerFilter(2, 2));
        assertEquals(256, HeadWidthRule.adaptive().filters(512, 2, 2, unitActivation(512, 2, 2)));
        // 128x8x8: unit 98,304 B; per filter (192 + 4)*4 = 784 B; 49,152/784 = 62.7 -> 56
        assertEquals(56, HeadWidthRule.adaptive().filters(128, 8, 8, unitActivation(128, 8, 8)));
    }

    @Test
    void boundsWin() {
        HeadWidthRule.Adaptive rule = HeadWidthRule.adaptive();
        assertEquals(256, rule.filters(512, 1, 1, 1L << 30), "capped at the maximum");
        assertEquals(8, rule.filters(3, 224, 224, 1000), "never fewer than the minimum");
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
            int f = rule.filters(c, h, w, act);
            String at = c + "x" + h + "x" + w + " act " + act + " -> " + f;
            assertTrue(f >= 16 && f <= 128 && f % 16 == 0, at);
            if (f > 16) assertTrue(rule.meetsFraction(f, h, w, act), at);
            if (f < 128) assertFalse(rule.meetsFraction(f + 16, h, w, act), at);
        }
    }

    @Test
    void fixedRulesIgnoreMemory() {
        assertEquals(64, HeadWidthRule.classicLocalLearning().filters(64, 32, 32, 1));
        assertEquals(512, HeadWidthRule.classicLocalLearning().filters(512, 2, 2, 1));
        assertEquals(128, new HeadWidthRule.Fixed(128).filters(3, 224, 224, 1));
    }

    @Test
    void refusesNonsenseBounds() {
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(16, 8, 8, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(12, 256, 8, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Adaptive(8, 256, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeadWidthRule.Fixed(0));
    }
}

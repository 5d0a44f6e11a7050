package neuroflux.stages.heads;

/**
 * How many filters a unit's auxiliary head gets.
 *
 * <p>A head is a 3×3 convolution with F filters, batch norm, ReLU, pooling to at most 2×2 and a linear classifier
 * (see {@link AuxiliaryHeads}). Its activation memory per sample grows with F times the unit's map size, so a head
 * as wide as the unit costs as much memory as the unit itself on early, high-resolution units, and little on late
 * ones.
 */
public sealed interface HeadWidthRule {
    /** Bytes per element of the head's activations (float32). */
    int ELEMENT_BYTES = 4;

    /**
     * The filters for a head on a unit whose output is {@code channels × height × width} per sample and whose
     * training holds {@code unitActivationBytesPerSample} of activations per sample.
     */
    int filters(long channels, long height, long width, long unitActivationBytesPerSample);

    /**
     * The head's activation memory per sample and per filter, as the rule counts it: the convolution's, batch
     * norm's and ReLU's outputs (each the full map) and the pooled grid where there is pooling.
     */
    static long activationBytesPerSamplePerFilter(long height, long width) {
        HeadPooling pooling = HeadPooling.of(height, width);
        long elements = 3 * height * width + (pooling.pools() ? pooling.gridCells() : 0);
        return elements * ELEMENT_BYTES;
    }

    /** NeuroFlux's adaptive rule with its defaults: 8 to 256 filters in steps of 8, at most half the unit's memory. */
    static Adaptive adaptive() {
        return new Adaptive(8, 256, 8, 0.5);
    }

    /** The rule of the classic local-learning baseline: a head as wide as its unit, whatever it costs. */
    static HeadWidthRule classicLocalLearning() {
        return new SameAsUnit();
    }

    /**
     * Few filters where the unit's maps are large, more where they are small: the most filters, rounded down to a
     * multiple of {@code multiple}, for which the head's activation memory per sample is at most {@code fraction} of
     * its unit's, kept within {@code [min, max]}. Where even {@code min} filters exceed the fraction, the head gets
     * {@code min} (the bound wins; {@link #meetsFraction} tells).
     */
    record Adaptive(int min, int max, int multiple, double fraction) implements HeadWidthRule {
        public Adaptive {
            if (multiple < 1 || min < multiple || max < min || min % multiple != 0 || max % multiple != 0) {
                throw new IllegalArgumentException("head filters need multiple >= 1 and min <= max, both multiples of"
                        + " it; got min " + min + ", max " + max + ", multiple " + multiple);
            }
            if (!(fraction > 0) || Double.isInfinite(fraction)) {
                throw new IllegalArgumentException("the head's memory fraction must be positive, not " + fraction);
            }
        }

        @Override
        public int filters(long channels, long height, long width, long unitActivationBytesPerSample) {
            long perFilter = activationBytesPerSamplePerFilter(height, width);
            double allowed = Math.floor(fraction * unitActivationBytesPerSample / perFilter);
            long rounded = (long) Math.min(allowed, max) / multiple * multiple;
            return (int) Math.max(min, rounded);
        }

        /** Whether a head of {@code filters} stays within the fraction of its unit's activation memory. */
        public boolean meetsFraction(int filters, long height, long width, long unitActivationBytesPerSample) {
            return filters * activationBytesPerSamplePerFilter(height, width)
                    <= fraction * unitActivationBytesPerSample;
        }
    }

    /** The same number of filters on every head. */
    record Fixed(int filters) implements HeadWidthRule {
        public Fixed {
            if (filters < 1) throw new IllegalArgumentException("a head needs at least one filter, not " + filters);
        }

        @Override
        public int filters(long channels, long height, long width, long unitActivationBytesPerSample) {
            return filters;
        }
    }

    /**
     * As many filters as the unit has output channels: the auxiliary convolution keeps the width of the layer it is
     * attached to, as in greedy layer-wise training (Belilovsky et al.), so heads cost the most where maps are
     * largest. This is the {@code ll} baseline's rule.
     */
    record SameAsUnit() implements HeadWidthRule {
        @Override
        public int filters(long channels, long height, long width, long unitActivationBytesPerSample) {
            return Math.toIntExact(channels);
        }
    }
}

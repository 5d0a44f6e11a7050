package neuroflux.stages.data;

/**
 * Derives independent seeds from a run's seed and a few integers (an epoch, a sample position, a purpose), so that
 * every random choice depends only on what it is for, never on the order or the thread that makes it.
 */
final class Seeds {
    private Seeds() {}

    static long derive(long seed, long... parts) {
        long h = mix(seed);
        for (long p : parts) h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
        return h;
    }

    /** The finaliser of SplitMix64: a bijection that spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

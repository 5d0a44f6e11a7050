package neuroflux.stages.data;

import java.util.random.RandomGenerator;

/** Fisher-Yates shuffles of index arrays (the JDK shuffles only lists, which would box every index). */
final class Shuffle {
    private Shuffle() {}

    static void inPlace(int[] a, RandomGenerator rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** 0 .. n-1 in a random order. */
    static int[] permutation(int n, RandomGenerator rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        inPlace(a, rng);
        return a;
    }
}

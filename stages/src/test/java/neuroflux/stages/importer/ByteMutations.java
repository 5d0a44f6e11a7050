package neuroflux.stages.importer;

import java.util.Arrays;
import java.util.Random;

/**
 * Damage to an ONNX file's bytes that knows nothing of its structure: what a broken download, a bad disk or a
 * careless hand holds. Positions favour the ends of the file, where a PyTorch export keeps its nodes (front) and
 * its inputs, outputs and opsets (back); the weights in between mostly just change values when hit.
 */
final class ByteMutations {
    /** Bytes that mean something to the protobuf wire format: tags, length prefixes, varint continuation bits. */
    private static final byte[] INTERESTING = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, 0x08, 0x0a, 0x12, 0x1a, 0x22,
        0x3a, 0x42, 0x4a, 0x5a, 0x62, 0x6a, 0x0b, 0x0c, 0x0f};

    private ByteMutations() {}

    static Mutant mutate(byte[] model, byte[] other, Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> flipBits(model, r);
            case 1 -> truncate(model, r);
            case 2 -> insert(model, r);
            case 3 -> delete(model, r);
            case 4 -> splice(model, other, r);
            case 5 -> overwrite(model, r);
            default -> duplicateRange(model, r);
        };
    }

    private static Mutant flipBits(byte[] model, Random r) {
        byte[] b = model.clone();
        int flips = 1 + r.nextInt(8);
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < flips; i++) {
            int p = position(b.length, r);
            int bit = r.nextInt(8);
            b[p] ^= (byte) (1 << bit);
            at.append(i == 0 ? "" : ",").append(p).append('.').append(bit);
        }
        return new Mutant("bytes: flip", "flip bits " + at, b);
    }

    private static Mutant truncate(byte[] model, Random r) {
        int len = r.nextInt(4) == 0 ? r.nextInt(Math.min(64, model.length)) : position(model.length, r);
        return new Mutant("bytes: truncate", "truncate to " + len, Arrays.copyOf(model, len));
    }

    private static Mutant insert(byte[] model, Random r) {
        int p = position(model.length, r);
        byte[] extra = randomBytes(1 + r.nextInt(16), r);
        return new Mutant("bytes: insert", "insert " + extra.length + " bytes at " + p,
                splice(model, p, extra, model, p));
    }

    private static Mutant delete(byte[] model, Random r) {
        int p = position(model.length, r);
        int n = Math.min(model.length - p, 1 + r.nextInt(r.nextBoolean() ? 8 : 4096));
        return new Mutant("bytes: delete", "delete " + n + " bytes at " + p,
                splice(model, p, new byte[0], model, p + n));
    }

    /** The front of one file and the back of another: a download that resumed into the wrong file. */
    private static Mutant splice(byte[] model, byte[] other, Random r) {
        int p = position(model.length, r);
        int q = position(other.length, r);
        return new Mutant("bytes: splice", "splice at " + p + " with another fixture from " + q,
                splice(model, p, new byte[0], other, q));
    }

    private static Mutant overwrite(byte[] model, Random r) {
        byte[] b = model.clone();
        int p = position(b.length, r);
        int n = Math.min(b.length - p, 1 + r.nextInt(8));
        for (int i = 0; i < n; i++) b[p + i] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)]
                : (byte) r.nextInt(256);
        return new Mutant("bytes: overwrite", "overwrite " + n + " bytes at " + p, b);
    }

    private static Mutant duplicateRange(byte[] model, Random r) {
        int p = position(model.length, r);
        int n = Math.min(model.length - p, 1 + r.nextInt(512));
        int at = position(model.length, r);
        byte[] copy = Arrays.copyOfRange(model, p, p + n);
        return new Mutant("bytes: copy", "copy " + n + " bytes from " + p + " to " + at,
                splice(model, at, copy, model, at));
    }

    /** A position in a file of {@code length} bytes, two thirds of the time near one of its ends. */
    static int position(int length, Random r) {
        if (length == 0) return 0;
        return switch (r.nextInt(3)) {
            case 0 -> r.nextInt(Math.min(length, 8192));
            case 1 -> length - 1 - r.nextInt(Math.min(length, 2048));
            default -> r.nextInt(length);
        };
    }

    private static byte[] randomBytes(int n, Random r) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
        }
        return b;
    }

    /** {@code a[0, aEnd)}, then {@code middle}, then {@code b[bFrom, end)}. */
    private static byte[] splice(byte[] a, int aEnd, byte[] middle, byte[] b, int bFrom) {
        byte[] out = new byte[aEnd + middle.length + b.length - bFrom];
        System.arraycopy(a, 0, out, 0, aEnd);
        System.arraycopy(middle, 0, out, aEnd, middle.length);
        System.arraycopy(b, bFrom, out, aEnd + middle.length, b.length - bFrom);
        return out;
    }
}

package neuroflux.stages.cache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The layout of an activation cache file. A fixed header says what the file holds so that a truncated or
 * corrupted file is recognised before use:
 * <pre>
 *   magic "NFXCACHE" | version int | dtype int | count int | rank int | dims long[rank] |
 *   data checksum long (CRC32C over data and labels) | header padding to 4096 bytes |
 *   data: count samples, each prod(dims) values of dtype | labels: count ints
 * </pre>
 * Data starts page-aligned so that memory mapping reads whole pages.
 */
final class CacheFileFormat {
    static final byte[] MAGIC = "NFXCACHE".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4096;

    record Header(CacheDtype dtype, int count, long[] sampleShape, long checksum) {
        long sampleValues() {
            long n = 1;
            for (long d : sampleShape) n *= d;
            return n;
        }

        long dataBytes() {
            return (long) count * sampleValues() * dtype.bytes;
        }

        long fileBytes() {
            return HEADER_BYTES + dataBytes() + 4L * count;
        }
    }

    private CacheFileFormat() {}

    static ByteBuffer encode(Header h) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(h.dtype().ordinal()).putInt(h.count()).putInt(h.sampleShape().length);
        for (long d : h.sampleShape()) b.putLong(d);
        b.putLong(h.checksum());
        b.position(0);
        return b;
    }

    /** Decodes a header, or returns null with the reason in {@code why[0]} when the bytes are not one. */
    static Header decode(ByteBuffer b, String[] why) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER_BYTES) {
            why[0] = "shorter than its header";
            return null;
        }
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            why[0] = "not a neuroflux cache file";
            return null;
        }
        int version = b.getInt();
        int dtype = b.getInt();
        int count = b.getInt();
        int rank = b.getInt();
        if (version != VERSION || dtype < 0 || dtype >= CacheDtype.values().length || count < 0 || rank < 1 || rank > 8) {
            why[0] = "its header is damaged";
            return null;
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = b.getLong();
            if (dims[i] <= 0 || dims[i] > (1 << 24)) {
                why[0] = "its header is damaged";
                return null;
            }
        }
        return new Header(CacheDtype.values()[dtype], count, dims, b.getLong());
    }
}

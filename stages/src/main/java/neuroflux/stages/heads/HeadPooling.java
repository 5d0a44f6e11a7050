package neuroflux.stages.heads;

/**
 * How a head averages its feature map down to a grid of at most 2×2 before its classifier.
 *
 * <p>Per spatial axis of length {@code d}: an axis of 1 or 2 is left as it is; a longer one is averaged in windows
 * of {@code k = ceil(d/2)} cells with stride {@code k}, padded at the end by {@code 2k - d} cells (one where d is odd)
 * that the average does not count, so the axis becomes exactly 2 and no cell is dropped. A map already within 2×2
 * needs no pooling at all (a global average would throw away what little layout it has).
 *
 * @param kernelHeight window (and stride) along the height, 1 where not pooled
 * @param kernelWidth window (and stride) along the width
 * @param padHeight cells added after the last row, not counted in the averages
 * @param padWidth cells added after the last column
 * @param gridHeight rows left after pooling (1 or 2)
 * @param gridWidth columns left after pooling (1 or 2)
 */
public record HeadPooling(long kernelHeight, long kernelWidth, long padHeight, long padWidth, long gridHeight,
                          long gridWidth) {
    public static final long GRID = 2;

    public static HeadPooling of(long height, long width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("a head needs a known feature map, not " + height + "x" + width);
        }
        long kh = kernel(height);
        long kw = kernel(width);
        return new HeadPooling(kh, kw, kh == 1 ? 0 : GRID * kh - height, kw == 1 ? 0 : GRID * kw - width,
                kh == 1 ? height : GRID, kw == 1 ? width : GRID);
    }

    private static long kernel(long d) {
        return d <= GRID ? 1 : (d + GRID - 1) / GRID;
    }

    /** Whether a pooling node is needed at all. */
    public boolean pools() {
        return kernelHeight > 1 || kernelWidth > 1;
    }

    public long gridCells() {
        return gridHeight * gridWidth;
    }
}

package neuroflux.pipeline.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Tensor;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.cache.CacheDtype;
import neuroflux.stages.cache.CachedDataset;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.plan.Block;

/**
 * How much disk a compress run needs in its run folder, worked out before it starts. Caches: each block but the
 * model's last writes its output for train (times the augmented views), validation and test in the cache dtype;
 * without --keep-cache only two blocks' caches exist at once (the one being read and the one being written).
 * Checkpoints: every value of the network plus the current block's optimizer state (at most two moments per
 * parameter), twice while a new generation replaces the old. Outputs: the model and the blocks' files, at most
 * twice the network.
 *
 * @param cacheBytes the most the caches occupy at once
 * @param checkpointBytes the most the checkpoints occupy at once
 * @param outputBytes model.onnx and blocks/
 */
public record DiskNeed(long cacheBytes, long checkpointBytes, long outputBytes) {
    /** A test hook: pretend the disk has this many bytes free. */
    static final String FREE_BYTES_PROPERTY = "neuroflux.test.free-disk-bytes";

    public long total() {
        return cacheBytes + checkpointBytes + outputBytes;
    }

    public static DiskNeed of(HeadedNetwork net, List<Block> blocks, int train, int validation, int test,
                              CacheDtype dtype, int views, boolean keepCache) {
        long[] perBlock = new long[blocks.size()];
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (net.isLast(b.lastUnit())) continue;
            long[] shape = net.sampleShape(net.unit(b.lastUnit()).outputName());
            perBlock[i] = Math.max(1, views) * CachedDataset.fileBytes(dtype, shape, train)
                    + CachedDataset.fileBytes(dtype, shape, validation) + CachedDataset.fileBytes(dtype, shape, test);
        }
        long caches = 0;
        for (int i = 0; i < perBlock.length; i++) {
            caches = keepCache ? caches + perBlock[i] : Math.max(caches, perBlock[i] + (i > 0 ? perBlock[i - 1] : 0));
        }
        long values = net.values().values().stream().mapToLong(Tensor::byteSize).sum();
        return new DiskNeed(caches, 2 * 4 * values, 2 * values);
    }

    /** Refuses to start (one line, exit 2) when the run folder's disk has less free than the run needs. */
    public void check(Path runFolder, long alreadyWritten) throws IOException {
        long free = freeBytes(runFolder);
        long need = Math.max(0, total() - alreadyWritten);
        if (free < need) {
            throw new BadInputException("the run needs about " + Budget.format(need) + " of disk in " + runFolder
                    + " (caches " + Budget.format(cacheBytes) + ", checkpoints " + Budget.format(checkpointBytes)
                    + ", model files " + Budget.format(outputBytes) + ") but only " + Budget.format(free)
                    + " is free; free some space, write elsewhere with --out, or halve the caches with"
                    + " --cache-dtype float16");
        }
    }

    private static long freeBytes(Path runFolder) throws IOException {
        String pretend = System.getProperty(FREE_BYTES_PROPERTY);
        if (pretend != null) return Long.parseLong(pretend);
        return Files.getFileStore(runFolder).getUsableSpace();
    }

    public String describe() {
        return "disk needed: about " + Budget.format(total()) + " (caches " + Budget.format(cacheBytes)
                + ", checkpoints " + Budget.format(checkpointBytes) + ", model files " + Budget.format(outputBytes)
                + ")";
    }
}

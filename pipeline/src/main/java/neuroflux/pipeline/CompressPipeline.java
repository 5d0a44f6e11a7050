package neuroflux.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.cache.AugmentedViews;
import neuroflux.pipeline.cache.ResidentBoundedCache;
import neuroflux.pipeline.report.PlanReport;
import neuroflux.stages.block.BlockInference;
import neuroflux.stages.block.BlockRunner;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.block.UnitRuns;
import neuroflux.stages.block.UnitStep;
import neuroflux.stages.cache.CacheDtype;
import neuroflux.stages.cache.CacheWriter;
import neuroflux.stages.cache.CachedDataset;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.data.Augmentation;
import neuroflux.stages.data.Batch;
import neuroflux.stages.data.BatchLoader;
import neuroflux.stages.data.DataOptions;
import neuroflux.stages.data.Dataset;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.memory.PeakMemoryMeter;
import neuroflux.stages.plan.Block;
import neuroflux.stages.plan.PlannerSettings;
import neuroflux.stages.profile.UnitProfiler;
import neuroflux.stages.train.CosineSchedule;
import neuroflux.stages.train.LearningRateSchedule;
import neuroflux.stages.train.OneCycleSchedule;

/**
 * {@code neuroflux compress}, top to bottom: import the model, load the data, cut the model into units with
 * their exits, profile the units, plan blocks under the budget (an infeasible budget is refused here, before any
 * training), then for each block: compile its units' steps at its batch size, train it for the epochs (the
 * schedule restarts per block) inside the memory meter, keep its weights, release its sessions, run it once over
 * train, validation and test to write its output to the cache and evaluate its exits; the next block reads the
 * cache and never runs earlier blocks again. Then select the smallest exit about as accurate as the best, export
 * it, and measure the written model's test accuracy in a fresh session.
 */
public final class CompressPipeline {
    /** Batches of cached samples between releases of the cache file's resident pages. */
    private static final int CACHE_PAGES_RELEASED_EVERY_BATCHES = 1;

    /**
     * What a run is asked to do.
     *
     * @param model the ONNX model, or null for the built-in default ({@link Inputs#DEFAULT_MODEL})
     * @param exitTolerance validation accuracy points an exit may be below the best and still be chosen
     * @param augmentViews K augmented views of each training image in the cache for later blocks (0: none)
     * @param flatBlocks with stopWhenFlat, stop after this many blocks without the best exit improving by more than
     *        flatMargin points
     * @param split the blocks' sizes in units, or null for the planner's choice
     */
    public record Settings(Path model, DataOptions data, Path out, Budget budget, int epochs, RuntimeOptions runtime,
                           String optimizer, double lr, double weightDecay, String schedule, CacheDtype cacheDtype,
                           boolean keepCache, double exitTolerance, boolean stopWhenFlat, double flatMargin,
                           int flatBlocks, int augmentViews, int batchCap, double margin, long seed,
                           UnitProfiler.Settings profile, List<Integer> split) {
        public Optimizer optimizerSpec() {
            return optimizer.equals("sgd") ? new Optimizer.Sgd(0.9, true, weightDecay)
                    : Optimizer.AdamW.defaults(weightDecay);
        }
    }

    /** What one block did. */
    public record BlockResult(Block block, int epochs, PeakMeasurement trainPeak, PeakMeasurement cachePeak,
                              double wallSeconds, double lastLoss, double lastTrainAccuracy, double samplesPerSecond,
                              long[] unitRuns) {}

    /** One exit: the early-exit model that leaves after {@code unit}. */
    public record ExitResult(int unit, String unitName, String exit, long params, double valAccuracy,
                             double testAccuracy, int[] testPredictions) {}

    /** The run's outcome; the reports are written from it. */
    public record Result(Inputs inputs, Planning planning, List<Integer> plannedBatches, UnitProfiler.Profile profile,
                         List<BlockResult> blocks,
                         List<ExitResult> exits, int selected, double testAccuracy, double predictionAgreement,
                         long cacheBytes, boolean cacheKept, int skippedBlocks, double skippedPredictedSeconds,
                         double wallSeconds, String memoryMeasure) {
        public ExitResult selectedExit() {
            return exits.get(selected);
        }
    }

    private final Settings s;
    private final PrintStream out;
    private final PrintStream err;
    private final PeakMemoryMeter meter;
    /** Told the index of each block as soon as its caching pass is done (compare times the runs with it). */
    private java.util.function.IntConsumer blockDone = i -> {};

    public CompressPipeline(Settings settings, PrintStream out, PrintStream err) {
        this.s = settings;
        this.out = out;
        this.err = err;
        this.meter = PeakMemoryMeter.forDevice(settings.runtime().device());
    }

    /** Calls {@code listener} with a block's index once the block and its caching pass are done. */
    public CompressPipeline onBlockDone(java.util.function.IntConsumer listener) {
        this.blockDone = listener;
        return this;
    }

    public Result run() throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(s.out());
        Path cacheDir = s.out().resolve("cache");

        // import, data, partition and heads
        Inputs inputs = Inputs.load(s.model(), s.data(), s.seed(), s.out().resolve("input-model.onnx"));
        HeadedNetwork net = inputs.network();
        err.printf("neuroflux compress: %s, %d units; data %s: %,d train, %,d validation, %,d test%n",
                inputs.modelName(), net.size(), inputs.data().name(), inputs.data().train().size(),
                inputs.data().validation().size(), inputs.data().test().size());

        // profile and plan: a budget no plan meets is refused here, before any training
        err.println("profiling units...");
        UnitProfiler.Profile profile = new UnitProfiler(s.profile(), meter).profile(net);
        PlannerSettings plannerSettings = new PlannerSettings(s.budget().bytes(), s.margin(), s.batchCap(), s.epochs(),
                inputs.data().train().size(), 0, 0);
        Planning planned = Planning.of(profile, plannerSettings, s.split());
        // each block measured at its batch before training; lowered where it exceeds the usable budget
        err.println("verifying the plan: a few real steps per block at its batch size...");
        List<Planning.VerifiedBlock> verified = Planning.verify(planned.plan(), profile, net, s.optimizerSpec(),
                s.runtime(), meter, s.seed());
        PlanReport.printTable(planned, profile.plannerMemorySource(), verified, out);
        Planning planning = new Planning(Planning.withVerifiedBatches(planned.plan(), verified),
                planned.backpropBatch(), planned.smallestBudgetBytes());
        for (Block b : planning.plan().blocks()) {
            if (b.batch() > inputs.data().train().size()) {
                throw new BadInputException("block " + b.units() + " would train at batch " + b.batch() + " but the"
                        + " training set has only " + inputs.data().train().size() + " samples; lower --batch-cap");
            }
        }

        // blocks, one after another; each later block reads the cache of the one before
        Augmentation augmentation = s.data().augmentation(inputs.model().sampleShape());
        List<Dataset> trainViews = List.of(inputs.data().train());
        Dataset validation = inputs.data().validation();
        Dataset test = inputs.data().test();
        List<CachedDataset> openCaches = new ArrayList<>();
        List<Path> cacheFiles = new ArrayList<>();
        long cacheBytes = 0;
        List<BlockResult> blockResults = new ArrayList<>();
        List<ExitResult> exits = new ArrayList<>();
        double bestSoFar = -1;
        int flatFor = 0;
        int skipped = 0;
        double skippedSeconds = 0;
        List<Block> blocks = planning.plan().blocks();
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            boolean first = i == 0;
            List<Dataset> views = trainViews;
            IntFunction<Dataset> trainingData = views.size() == 1 ? e -> views.getFirst()
                    : e -> AugmentedViews.epochMix(views, s.seed(), e);
            long[] runsBefore = unitRuns(net);
            BlockResult trained = trainBlock(net, i, block, trainingData, first ? augmentation : Augmentation.NONE);
            writeBlockWeights(net, i, block);

            // caching pass: the block's output for every split, and its exits on validation and test
            boolean lastBlock = net.isLast(block.lastUnit());
            List<Path> written = new ArrayList<>();
            List<ExitResult> blockExits = new ArrayList<>();
            int index = i;
            Dataset val = validation;
            Dataset tst = test;
            PeakMeasurement cachePeak = meter.measure(() -> written.addAll(cachePass(net, index, block, views,
                    first ? augmentation : Augmentation.NONE, val, tst, cacheDir, lastBlock, blockExits)));
            exits.addAll(blockExits);
            blockResults.add(new BlockResult(block, trained.epochs(), trained.trainPeak(), cachePeak,
                    trained.wallSeconds(), trained.lastLoss(), trained.lastTrainAccuracy(),
                    trained.samplesPerSecond(), minus(unitRuns(net), runsBefore)));
            for (Path p : written) cacheBytes += Files.size(p);
            err.printf(Locale.ROOT, "block %d/%d done: training peak %s, caching pass peak %s; exits: %s%n", i + 1,
                    blocks.size(), describe(trained.trainPeak()), describe(cachePeak), exitSummary(blockExits));
            blockDone.accept(i);

            // the next block reads this block's cache: earlier caches are no longer needed
            openCaches.forEach(CachedDataset::close);
            openCaches.clear();
            if (!s.keepCache()) for (Path p : cacheFiles) Files.deleteIfExists(p);
            cacheFiles.clear();
            cacheFiles.addAll(written);
            if (!lastBlock) {
                int classes = inputs.model().classes();
                int release = block.batch() * CACHE_PAGES_RELEASED_EVERY_BATCHES;
                List<Dataset> nextViews = new ArrayList<>();
                int viewCount = Math.max(1, s.augmentViews());
                for (int v = 0; v < viewCount; v++) {
                    CachedDataset c = CachedDataset.open(trainCacheFile(cacheDir, i, v), classes, true);
                    openCaches.add(c);
                    nextViews.add(new ResidentBoundedCache(c, release));
                }
                trainViews = nextViews;
                CachedDataset cachedValidation = CachedDataset.open(cacheFile(cacheDir, i, "validation"), classes,
                        true);
                CachedDataset cachedTest = CachedDataset.open(cacheFile(cacheDir, i, "test"), classes, true);
                openCaches.add(cachedValidation);
                openCaches.add(cachedTest);
                validation = new ResidentBoundedCache(cachedValidation, release);
                test = new ResidentBoundedCache(cachedTest, release);
            }

            // stop when the best exit has been flat for long enough
            double best = exits.stream().mapToDouble(ExitResult::valAccuracy).max().orElse(0);
            flatFor = best > bestSoFar + s.flatMargin() / 100 ? 0 : flatFor + 1;
            bestSoFar = Math.max(bestSoFar, best);
            if (s.stopWhenFlat() && flatFor >= s.flatBlocks() && i < blocks.size() - 1) {
                skipped = blocks.size() - 1 - i;
                for (int j = i + 1; j < blocks.size(); j++) skippedSeconds += blocks.get(j).predictedSeconds();
                err.printf(Locale.ROOT, "stopping: the best exit's validation accuracy has not improved by more than"
                        + " %.2f points for %d block(s); %d block(s) skipped, predicted %.1f s saved%n",
                        s.flatMargin(), flatFor, skipped, skippedSeconds);
                break;
            }
        }
        openCaches.forEach(CachedDataset::close);

        // select the smallest exit within the tolerance of the best, export it, test the written model
        int selected = ExitSelection.select(exits, s.exitTolerance());
        ExitResult chosen = exits.get(selected);
        Path modelFile = s.out().resolve("model.onnx");
        OnnxModels.write(net.exitModel(chosen.unit()), modelFile);
        WrittenModelTest.Outcome tested = WrittenModelTest.run(modelFile, inputs.data().test(), 256, s.runtime());
        double agreement = WrittenModelTest.agreement(tested.predictions(), chosen.testPredictions());

        boolean kept = s.keepCache();
        if (!kept) deleteTree(cacheDir);
        double wall = (System.nanoTime() - start) / 1e9;
        String method = blockResults.isEmpty() ? "" : blockResults.getFirst().trainPeak().method();
        List<Integer> plannedBatches = verified.stream().map(v -> v.planned().batch()).toList();
        return new Result(inputs, planning, plannedBatches, profile, blockResults, exits, selected, tested.accuracy(),
                agreement,
                cacheBytes, kept, skipped, skippedSeconds, wall, method);
    }

    /** Trains one block inside the memory meter; its trained values go back into the network. */
    private BlockResult trainBlock(HeadedNetwork net, int index, Block block, IntFunction<Dataset> trainingData,
                                   Augmentation augmentation) {
        List<UnitStep> steps = new ArrayList<>();
        for (int k = block.firstUnit(); k <= block.lastUnit(); k++) {
            steps.add(UnitStep.compile(net, k, block.batch(), k < block.lastUnit(), s.optimizerSpec()));
        }
        int batch = block.batch();
        long stepsPerEpoch = trainingData.apply(0).size() / batch;
        LearningRateSchedule schedule = schedule(stepsPerEpoch * s.epochs());
        double baseMomentum = s.optimizerSpec().momentum();
        double[] last = new double[3];
        long start = System.nanoTime();
        PeakMeasurement peak = meter.measure(() -> {
            try (BlockRunner runner = new BlockRunner(steps, s.runtime())) {
                for (int e = 0; e < s.epochs(); e++) {
                    long epochStart = System.nanoTime();
                    double[] lossSum = new double[steps.size()];
                    long[] correct = new long[steps.size()];
                    long seen = 0;
                    BatchLoader loader = BatchLoader.training(trainingData.apply(e), batch, s.seed() + index,
                            augmentation);
                    for (Batch b : loader.epoch(e)) {
                        long step = runner.stepsRun();
                        BlockRunner.Outcome o = runner.run(b.images(), b.labels(), schedule.lr(step),
                                schedule.momentum(step, baseMomentum));
                        for (int u = 0; u < steps.size(); u++) {
                            lossSum[u] += o.losses()[u] * b.size();
                            correct[u] += o.corrects()[u];
                        }
                        seen += b.size();
                    }
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    int lastUnit = steps.size() - 1;
                    last[0] = lossSum[lastUnit] / Math.max(1, seen);
                    last[1] = (double) correct[lastUnit] / Math.max(1, seen);
                    last[2] = seen / Math.max(1e-9, seconds);
                    err.println(progressLine(index, e, lossSum, correct, seen, seconds, start));
                }
                net.setValues(runner.modelValues());
            }
        });
        System.gc(); // direct buffers of the block's batches are freed now, not in the next block's measurement
        return new BlockResult(block, s.epochs(), peak, null, (System.nanoTime() - start) / 1e9, last[0], last[1],
                last[2], null);
    }

    private String progressLine(int block, int epoch, double[] lossSum, long[] correct, long seen, double seconds,
                                long start) {
        StringBuilder losses = new StringBuilder();
        StringBuilder accuracies = new StringBuilder();
        for (int u = 0; u < lossSum.length; u++) {
            if (u > 0) {
                losses.append(' ');
                accuracies.append(' ');
            }
            losses.append(String.format(Locale.ROOT, "%.4f", lossSum[u] / Math.max(1, seen)));
            accuracies.append(String.format(Locale.ROOT, "%.4f", (double) correct[u] / Math.max(1, seen)));
        }
        return String.format(Locale.ROOT, "block %d epoch %d/%d: loss %s, train accuracy %s, %.1f samples/s,"
                + " elapsed %.1f s", block + 1, epoch + 1, s.epochs(), losses, accuracies, seen / Math.max(1e-9,
                seconds), (System.nanoTime() - start) / 1e9);
    }

    private LearningRateSchedule schedule(long totalSteps) {
        long steps = Math.max(1, totalSteps);
        return switch (s.schedule()) {
            case "onecycle" -> OneCycleSchedule.pytorch(s.lr(), steps, 0.15);
            case "cosine" -> new CosineSchedule(s.lr(), steps, (long) (0.05 * steps), 0);
            default -> LearningRateSchedule.constant(s.lr());
        };
    }

    /** The trained block's units and exits, inference form, as an ONNX file in DIR/blocks. */
    private void writeBlockWeights(HeadedNetwork net, int index, Block block) {
        try {
            OnnxModels.write(net.blockInference(block.firstUnit(), block.lastUnit()),
                    s.out().resolve("blocks").resolve("block" + (index + 1) + ".onnx"));
        } catch (IOException e) {
            throw new BadInputException("cannot write the weights of block " + (index + 1) + ": " + e.getMessage());
        }
    }

    /**
     * Runs the trained block once over every split: writes its output for train (each view), validation and test
     * to the cache (not for the model's last block), and evaluates its exits on validation and test.
     */
    private List<Path> cachePass(HeadedNetwork net, int index, Block block, List<Dataset> views,
                                 Augmentation augmentation, Dataset validation, Dataset test, Path cacheDir,
                                 boolean lastBlock, List<ExitResult> exits) {
        List<Path> written = new ArrayList<>();
        int batch = block.batch();
        try (BlockInference inference = new BlockInference(net, block.firstUnit(), block.lastUnit(), s.runtime())) {
            if (!lastBlock) {
                long[] shape = net.sampleShape(net.unit(block.lastUnit()).outputName());
                int viewCount = Math.max(1, s.augmentViews());
                for (int v = 0; v < viewCount; v++) {
                    Dataset source = views.size() > 1 ? views.get(v)
                            : s.augmentViews() > 0 && augmentation.changesSamples()
                            ? AugmentedViews.view(views.getFirst(), augmentation, s.seed(), v) : views.getFirst();
                    written.add(write(inference, source, batch, trainCacheFile(cacheDir, index, v), shape));
                }
            }
            BlockInference.Pass val = lastBlock ? inference.pass(validation, batch, null)
                    : passWriting(inference, validation, batch, cacheFile(cacheDir, index, "validation"), net, block,
                    written);
            BlockInference.Pass tst = lastBlock ? inference.pass(test, batch, null)
                    : passWriting(inference, test, batch, cacheFile(cacheDir, index, "test"), net, block, written);
            for (int k = block.firstUnit(); k <= block.lastUnit(); k++) {
                int e = k - block.firstUnit();
                exits.add(new ExitResult(k, net.unit(k).name(), net.exitName(k), net.exitParameters(k),
                        val.accuracy(e), tst.accuracy(e), tst.predictions()[e]));
            }
        } catch (IOException e) {
            throw new BadInputException("cannot write the cache in " + cacheDir + ": " + e.getMessage());
        }
        return written;
    }

    private BlockInference.Pass passWriting(BlockInference inference, Dataset data, int batch, Path file,
                                            HeadedNetwork net, Block block, List<Path> written) throws IOException {
        long[] shape = net.sampleShape(net.unit(block.lastUnit()).outputName());
        try (CacheWriter w = new CacheWriter(file, s.cacheDtype(), shape, data.size())) {
            BlockInference.Pass p = inference.pass(data, batch, w);
            w.finish();
            written.add(file);
            return p;
        }
    }

    private Path write(BlockInference inference, Dataset data, int batch, Path file, long[] shape) throws IOException {
        try (CacheWriter w = new CacheWriter(file, s.cacheDtype(), shape, data.size())) {
            inference.pass(data, batch, w);
            w.finish();
        }
        return file;
    }

    /** How often each unit has run in this process (training steps and inference batches). */
    private static long[] unitRuns(HeadedNetwork net) {
        long[] runs = new long[net.size()];
        for (int k = 0; k < runs.length; k++) runs[k] = UnitRuns.of(k);
        return runs;
    }

    private static long[] minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }

    static Path cacheFile(Path dir, int block, String split) {
        return dir.resolve("block" + (block + 1) + "-" + split + ".cache");
    }

    static Path trainCacheFile(Path dir, int block, int view) {
        return dir.resolve("block" + (block + 1) + "-train-view" + view + ".cache");
    }

    private static String describe(PeakMeasurement m) {
        return m.available() ? "measured " + Budget.format(m.bytes()) : "not measured";
    }

    private static String exitSummary(List<ExitResult> exits) {
        List<String> parts = new ArrayList<>();
        for (ExitResult e : exits) {
            parts.add(String.format(Locale.ROOT, "%s val %.4f test %.4f", e.unitName(), e.valAccuracy(),
                    e.testAccuracy()));
        }
        return String.join("; ", parts);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

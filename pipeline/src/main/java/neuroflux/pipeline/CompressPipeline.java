package neuroflux.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.onnx.Tensor;
import neuroflux.pipeline.cache.AugmentedViews;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.checkpoint.DiskFullException;
import neuroflux.pipeline.checkpoint.DiskNeed;
import neuroflux.pipeline.checkpoint.RunFolder;
import neuroflux.pipeline.checkpoint.RunProgress;
import neuroflux.pipeline.checkpoint.RunSettings;
import neuroflux.pipeline.checkpoint.TestHooks;
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
import neuroflux.stages.memory.MemoryTrace;
import neuroflux.stages.plan.Block;
import neuroflux.stages.plan.PlannerSettings;
import neuroflux.stages.profile.UnitProfiler;
import neuroflux.stages.train.LearningRateSchedule;
import neuroflux.stages.train.LearningRates;
import neuroflux.stages.train.TrainingDivergedException;

/**
 * {@code neuroflux compress}, top to bottom: import the model, load the data, cut the model into units with
 * their exits, profile the units, plan blocks under the budget (an infeasible budget is refused here, before any
 * training), then for each block: compile its units' steps at its batch size, train it for the epochs (the
 * schedule restarts per block) inside the memory meter, keep its weights, release its sessions, run it once over
 * train, validation and test to write its output to the cache and evaluate its exits; the next block reads the
 * cache and never runs earlier blocks again. Then select the smallest exit about as accurate as the best, export
 * it, and measure the written model's test accuracy in a fresh session.
 *
 * <p>A checkpoint ({@link Checkpoints}) is written after every epoch and after every block's caching pass. A run
 * folder that holds one is continued: its settings must match, the stored plan is used instead of a new one,
 * finished blocks are skipped, the cache they left is checked (and rebuilt where damaged), and the current block
 * starts from its saved state at the next epoch. Batches are drawn from (seed, epoch), so a continued run with a
 * fixed seed trains on exactly the batches an uninterrupted one would.
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
                           String optimizer, double lr, double weightDecay, String schedule, int lrBatch,
                           CacheDtype cacheDtype,
                           boolean keepCache, double exitTolerance, boolean stopWhenFlat, double flatMargin,
                           int flatBlocks, int augmentViews, int batchCap, double margin, long seed,
                           UnitProfiler.Settings profile, List<Integer> split) {
        /** The peak learning rate and schedule of a block at its batch size. */
        public LearningRates learningRates() {
            return new LearningRates(schedule, lr, lrBatch);
        }

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
                         double wallSeconds, String memoryMeasure, List<Double> blockDoneSeconds, int resumes) {
        public ExitResult selectedExit() {
            return exits.get(selected);
        }
    }

    private final Settings s;
    private final PrintStream out;
    private final PrintStream err;
    private final PeakMemoryMeter deviceMeter;
    /** The device meter anchored at rest once the data is loaded: every figure of the run counts from there. */
    private PeakMemoryMeter meter;
    /** The command line's arguments, kept in the checkpoint so that --resume DIR alone continues the run. */
    private List<String> arguments = List.of();
    private Checkpoints checkpoints;
    /** Checkpoint tensor names: the network's values, and the current block's training state. */
    static final String NET_VALUE = "net/";
    static final String STEP_STATE = "step/";

    public CompressPipeline(Settings settings, PrintStream out, PrintStream err) {
        this.s = settings;
        this.out = out;
        this.err = err;
        this.deviceMeter = this.meter = PeakMemoryMeter.forDevice(settings.runtime().device());
    }

    /** Keeps the command line's arguments in the checkpoint, for --resume DIR. */
    public CompressPipeline withArguments(List<String> args) {
        this.arguments = List.copyOf(args);
        return this;
    }

    public Result run() throws IOException {
        long start = System.nanoTime();
        RunFolder.prepare(s.out());
        Path cacheDir = s.out().resolve("cache");
        CheckpointStore store = new CheckpointStore(s.out());
        Map<String, String> runSettings = RunSettings.of(s);
        RunProgress progress = null;
        Map<String, Tensor> saved = Map.of();
        if (store.exists()) {
            CheckpointStore.Loaded loaded = store.read();
            progress = RunProgress.fromJson(loaded.state(), store.dir());
            List<String> differences = progress.differences(runSettings);
            if (!differences.isEmpty()) {
                throw new BadInputException(s.out() + " holds a run with other settings (" + String.join("; ",
                        differences) + "): give the same settings to continue it, or --overwrite to start again");
            }
            saved = loaded.tensors();
        }

        // import, data, partition and heads
        Inputs inputs = Inputs.load(s.model(), s.data(), s.seed(), s.out().resolve("input-model.onnx"));
        meter = deviceMeter.anchoredAtRest();
        HeadedNetwork net = inputs.network();
        err.printf("neuroflux compress: %s, %d units; data %s: %,d train, %,d validation, %,d test%n",
                inputs.modelName(), net.size(), inputs.data().name(), inputs.data().train().size(),
                inputs.data().validation().size(), inputs.data().test().size());

        // profile and plan: a budget no plan meets is refused here, before any training
        PlannerSettings plannerSettings = new PlannerSettings(s.budget().bytes(), s.margin(), s.batchCap(), s.epochs(),
                inputs.data().train().size(), 0, 0);
        UnitProfiler profiler = new UnitProfiler(s.profile().withBracket(plannerSettings.usableBytes()), deviceMeter);
        UnitProfiler.Profile profile;
        if (progress != null && progress.profile != null) {
            // a resumed run keeps the profile its plan was made from; the runtime is loaded before the blocks'
            // memory is counted, as profiling would have
            profiler.warmUp(net);
            System.gc();
            profile = progress.profile.profile(profiler.settings());
            plannerSettings = plannerSettings.withResidentBytes(progress.residentBytes);
        } else {
            err.println("profiling units...");
            profile = profiler.profile(net);
            // what loading the runtime and profiling left resident is in every block's measured figure: predicted too
            plannerSettings = plannerSettings.withResidentBytes(Planning.residentBytes(meter));
        }
        Planning planning;
        List<Integer> plannedBatches;
        if (progress == null) {
            Planning planned = Planning.of(profile, plannerSettings, s.split());
            // each block measured at its batch before training; lowered where it exceeds the usable budget
            err.println("verifying the plan: a few real steps per block at its batch size...");
            List<Planning.VerifiedBlock> verified = Planning.verify(planned.plan(), profile, net, s.optimizerSpec(),
                    s.runtime(), meter, s.seed());
            PlanReport.printTable(planned, profile.plannerMemorySource(), verified, out);
            planning = new Planning(Planning.withVerifiedBatches(planned.plan(), verified),
                    planned.backpropBatch(), planned.smallestBudgetBytes());
            plannedBatches = verified.stream().map(v -> v.planned().batch()).toList();
            progress = new RunProgress();
            progress.settings.putAll(runSettings);
            progress.arguments.addAll(arguments);
            progress.blocks.addAll(planning.plan().blocks());
            progress.backpropBatch = planning.backpropBatch();
            progress.smallestBudgetBytes = planning.smallestBudgetBytes();
            progress.plannedBatches.addAll(plannedBatches);
        } else {
            // the plan depends on measured memory: a resumed run trains the blocks it planned, not a new plan
            planning = new Planning(new neuroflux.stages.plan.Plan(progress.blocks, plannerSettings),
                    progress.backpropBatch, progress.smallestBudgetBytes);
            plannedBatches = progress.plannedBatches;
            progress.resumes++;
            // a checkpoint of an older version kept no block times: those blocks have none in the history
            while (progress.blockDoneSeconds.size() < progress.blocksDone) progress.blockDoneSeconds.addFirst(Double.NaN);
            err.printf("resuming the run in %s: %d of %d blocks done, block %d at epoch %d of %d%n", s.out(),
                    progress.blocksDone, progress.blocks.size(), Math.min(progress.blocksDone + 1,
                    progress.blocks.size()), progress.epochsDone, s.epochs());
            net.setValues(prefixed(saved, NET_VALUE));
        }
        // kept for a later resume (an older checkpoint's run keeps the profile it made now)
        progress.profile = RunProgress.SavedProfile.of(profile);
        progress.residentBytes = plannerSettings.residentBytes();
        for (Block b : planning.plan().blocks()) {
            if (b.batch() > inputs.data().train().size()) {
                throw new BadInputException("block " + b.units() + " would train at batch " + b.batch() + " but the"
                        + " training set has only " + inputs.data().train().size() + " samples; lower --batch-cap");
            }
        }
        DiskNeed disk = DiskNeed.of(net, planning.plan().blocks(), inputs.data().train().size(),
                inputs.data().validation().size(), inputs.data().test().size(), s.cacheDtype(), s.augmentViews(),
                s.keepCache());
        err.println(disk.describe());
        disk.check(s.out(), RunFolder.bytesUnder(cacheDir) + RunFolder.bytesUnder(store.dir()));
        // the wall clock of a continued run goes on from its last checkpoint's
        long runStart = start - (long) (progress.elapsedSeconds * 1e9);
        this.checkpoints = new Checkpoints(store, progress, runStart);
        if (progress.blocksDone == 0 && progress.epochsDone == 0) {
            // the plan is kept from here on, so a run stopped before its first epoch resumes without planning again;
            // writing it now also runs the checkpoint code once before the blocks' memory is measured
            checkpoints.save(net, Map.of(), "planning");
        }
        // the blocks' figures count from the process at rest now, ready to train: data loaded, plan made and
        // verified (the verification counted from before profiling); what a block keeps is in every later figure
        meter = deviceMeter.anchoredAtRest();
        MemoryTrace.phase("at rest before the blocks");

        // blocks, one after another; each later block reads the cache of the one before
        Augmentation augmentation = s.data().augmentation(inputs.model().sampleShape());
        List<Dataset> trainViews = List.of(inputs.data().train());
        Dataset validation = inputs.data().validation();
        Dataset test = inputs.data().test();
        List<CachedDataset> openCaches = new ArrayList<>();
        List<Path> cacheFiles = new ArrayList<>();
        List<BlockResult> blockResults = new ArrayList<>();
        List<ExitResult> exits = new ArrayList<>(progress.exits);
        for (RunProgress.BlockRecord r : progress.blockResults) blockResults.add(r.result());
        List<Block> blocks = planning.plan().blocks();
        int firstBlock = progress.skipped > 0 ? blocks.size() : progress.blocksDone;
        if (firstBlock > 0 && firstBlock < blocks.size()) {
            // the block before left its output in the cache: checked, and rebuilt where damaged or missing
            int before = firstBlock - 1;
            List<Path> files = cacheFilesOf(cacheDir, before);
            ensureCaches(net, blocks.get(before), before, files, inputs, augmentation);
            cacheFiles.addAll(files);
            CachedInputs opened = openCaches(cacheDir, before, blocks.get(before), inputs.model().classes(),
                    openCaches);
            trainViews = opened.trainViews();
            validation = opened.validation();
            test = opened.test();
        }
        for (int i = firstBlock; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            boolean first = i == 0;
            List<Dataset> views = trainViews;
            IntFunction<Dataset> trainingData = views.size() == 1 ? e -> views.getFirst()
                    : e -> AugmentedViews.epochMix(views, s.seed(), e);
            long[] runsBefore = unitRuns(net);
            BlockResult trained = trainBlock(net, i, block, trainingData, first ? augmentation : Augmentation.NONE,
                    prefixed(saved, STEP_STATE));
            saved = Map.of();
            writeBlockWeights(net, i, block);

            // caching pass: the block's output for every split, and its exits on validation and test
            boolean lastBlock = net.isLast(block.lastUnit());
            List<Path> written = new ArrayList<>();
            List<ExitResult> blockExits = new ArrayList<>();
            int index = i;
            Dataset val = validation;
            Dataset tst = test;
            MemoryTrace.phase("block " + (i + 1) + " caching pass");
            PeakMeasurement cachePeak = meter.measure(() -> written.addAll(cachePass(net, index, block, views,
                    first ? augmentation : Augmentation.NONE, val, tst, cacheDir, lastBlock, blockExits)));
            exits.addAll(blockExits);
            BlockResult result = new BlockResult(block, trained.epochs(), trained.trainPeak(), cachePeak,
                    trained.wallSeconds(), trained.lastLoss(), trained.lastTrainAccuracy(),
                    trained.samplesPerSecond(), minus(unitRuns(net), runsBefore));
            blockResults.add(result);
            for (Path p : written) progress.cacheBytes += Files.size(p);
            err.printf(Locale.ROOT, "block %d/%d done: training peak %s, caching pass peak %s; exits: %s%n", i + 1,
                    blocks.size(), describe(trained.trainPeak()), describe(cachePeak), exitSummary(blockExits));
            progress.blockDoneSeconds.add((System.nanoTime() - runStart) / 1e9);

            // stop when the best exit has been flat for long enough
            double best = exits.stream().mapToDouble(ExitResult::valAccuracy).max().orElse(0);
            progress.flatFor = best > progress.bestSoFar + s.flatMargin() / 100 ? 0 : progress.flatFor + 1;
            progress.bestSoFar = Math.max(progress.bestSoFar, best);
            boolean stop = s.stopWhenFlat() && progress.flatFor >= s.flatBlocks() && i < blocks.size() - 1;
            if (stop) {
                progress.skipped = blocks.size() - 1 - i;
                for (int j = i + 1; j < blocks.size(); j++) progress.skippedSeconds += blocks.get(j).predictedSeconds();
            }

            // the block is done: recorded before the caches it read are deleted, so a resume never needs them
            progress.blocksDone = i + 1;
            progress.epochsDone = 0;
            progress.stepsRun = 0;
            progress.blockResults.add(RunProgress.BlockRecord.of(result));
            progress.exits.addAll(blockExits);
            checkpoints.save(net, Map.of(), "block " + (i + 1) + " done");

            // the next block reads this block's cache: earlier caches are no longer needed
            openCaches.forEach(CachedDataset::close);
            openCaches.clear();
            if (!s.keepCache()) for (Path p : cacheFiles) Files.deleteIfExists(p);
            cacheFiles.clear();
            cacheFiles.addAll(written);
            if (!lastBlock) {
                CachedInputs opened = openCaches(cacheDir, i, block, inputs.model().classes(), openCaches);
                trainViews = opened.trainViews();
                validation = opened.validation();
                test = opened.test();
            }
            if (stop) {
                err.printf(Locale.ROOT, "stopping: the best exit's validation accuracy has not improved by more than"
                        + " %.2f points for %d block(s); %d block(s) skipped, predicted %.1f s saved%n",
                        s.flatMargin(), progress.flatFor, progress.skipped, progress.skippedSeconds);
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
        double wall = (System.nanoTime() - runStart) / 1e9;
        String method = blockResults.isEmpty() ? "" : blockResults.getFirst().trainPeak().method();
        return new Result(inputs, planning, plannedBatches, profile, blockResults, exits, selected, tested.accuracy(),
                agreement,
                progress.cacheBytes, kept, progress.skipped, progress.skippedSeconds, wall, method,
                List.copyOf(progress.blockDoneSeconds), progress.resumes);
    }

    /** The block's train (each view), validation and test cache files. */
    private List<Path> cacheFilesOf(Path cacheDir, int index) {
        List<Path> files = new ArrayList<>();
        for (int v = 0; v < Math.max(1, s.augmentViews()); v++) files.add(trainCacheFile(cacheDir, index, v));
        files.add(cacheFile(cacheDir, index, "validation"));
        files.add(cacheFile(cacheDir, index, "test"));
        return files;
    }

    /** What a block reads: the cache of the block before, each file's resident pages released as it goes. */
    private record CachedInputs(List<Dataset> trainViews, Dataset validation, Dataset test) {}

    private CachedInputs openCaches(Path cacheDir, int index, Block block, int classes, List<CachedDataset> open)
            throws IOException {
        int release = block.batch() * CACHE_PAGES_RELEASED_EVERY_BATCHES;
        List<Dataset> views = new ArrayList<>();
        for (int v = 0; v < Math.max(1, s.augmentViews()); v++) {
            CachedDataset c = CachedDataset.open(trainCacheFile(cacheDir, index, v), classes, true);
            open.add(c);
            views.add(new ResidentBoundedCache(c, release));
        }
        CachedDataset cachedValidation = CachedDataset.open(cacheFile(cacheDir, index, "validation"), classes, true);
        open.add(cachedValidation);
        CachedDataset cachedTest = CachedDataset.open(cacheFile(cacheDir, index, "test"), classes, true);
        open.add(cachedTest);
        return new CachedInputs(views, new ResidentBoundedCache(cachedValidation, release),
                new ResidentBoundedCache(cachedTest, release));
    }

    /**
     * Checks a finished block's cache files before a resumed run reads them; a missing, truncated or corrupted one
     * is reported in one line and written again by running the units from the first to the block's last on the
     * data (the earlier blocks' caches are gone by then, but their weights are in the network).
     */
    private void ensureCaches(HeadedNetwork net, Block block, int index, List<Path> files, Inputs inputs,
                              Augmentation augmentation) throws IOException {
        int classes = inputs.model().classes();
        long[] shape = net.sampleShape(net.unit(block.lastUnit()).outputName());
        int views = Math.max(1, s.augmentViews());
        try (BlockInference inference = new BlockInference(net, 0, block.lastUnit(), s.runtime())) {
            for (int f = 0; f < files.size(); f++) {
                Path file = files.get(f);
                String problem = null;
                if (!Files.isRegularFile(file)) {
                    problem = "it is missing";
                } else {
                    try (CachedDataset c = CachedDataset.open(file, classes, true)) {
                        // opened and verified: usable as it is
                    } catch (CachedDataset.CorruptCacheException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem == null) continue;
                err.println("rebuilding cache " + file.getFileName() + ": " + problem);
                Dataset source = f < views ? firstBlockView(inputs.data().train(), augmentation, f)
                        : f == views ? inputs.data().validation() : inputs.data().test();
                writeCache(inference, source, block.batch(), file, shape);
            }
        }
    }

    /** The training data the first block's caching pass writes as view {@code v}. */
    private Dataset firstBlockView(Dataset train, Augmentation augmentation, int v) {
        return s.augmentViews() > 0 && augmentation.changesSamples()
                ? AugmentedViews.view(train, augmentation, s.seed(), v) : train;
    }

    private static Map<String, Tensor> prefixed(Map<String, Tensor> tensors, String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    /** Trains one block inside the memory meter; its trained values go back into the network. */
    private BlockResult trainBlock(HeadedNetwork net, int index, Block block, IntFunction<Dataset> trainingData,
                                   Augmentation augmentation, Map<String, Tensor> resumedState) {
        RunProgress progress = checkpoints.progress();
        int firstEpoch = resumedState.isEmpty() ? 0 : progress.epochsDone;
        if (firstEpoch >= s.epochs()) {
            // trained before the run was stopped; only its caching pass is left
            net.setValues(onlyNetworkValues(net, resumedState));
            return new BlockResult(block, s.epochs(), PeakMeasurement.unavailable("trained before the run was"
                    + " resumed"), null, progress.trainedSeconds, progress.lastLoss, progress.lastTrainAccuracy,
                    progress.samplesPerSecond, null);
        }
        if (firstEpoch == 0) progress.trainedSeconds = 0;
        List<UnitStep> steps = new ArrayList<>();
        for (int k = block.firstUnit(); k <= block.lastUnit(); k++) {
            steps.add(UnitStep.compile(net, k, block.batch(), k < block.lastUnit(), s.optimizerSpec()));
        }
        int batch = block.batch();
        long stepsPerEpoch = trainingData.apply(0).size() / batch;
        LearningRateSchedule schedule = s.learningRates().at(batch, stepsPerEpoch * s.epochs());
        double baseMomentum = s.optimizerSpec().momentum();
        double secondsBefore = progress.trainedSeconds;
        long start = System.nanoTime();
        // what earlier work left for the collector (direct buffers) goes now: the anchored figure counts all that is
        // resident above the rest, and that memory is not this block's
        System.gc();
        MemoryTrace.phase("block " + (index + 1) + " sessions");
        PeakMeasurement peak = meter.measure(() -> {
            try (BlockRunner runner = new BlockRunner(steps, s.runtime(), resumedState,
                    firstEpoch == 0 ? 0 : progress.stepsRun)) {
                for (int e = firstEpoch; e < s.epochs(); e++) {
                    MemoryTrace.phase("block " + (index + 1) + " epoch " + (e + 1));
                    long epochStart = System.nanoTime();
                    double[] lossSum = new double[steps.size()];
                    long[] correct = new long[steps.size()];
                    long seen = 0;
                    BatchLoader loader = BatchLoader.training(trainingData.apply(e), batch, s.seed() + index,
                            augmentation);
                    for (Batch b : loader.epoch(e)) {
                        TestHooks.reached("training-step");
                        long step = runner.stepsRun();
                        BlockRunner.Outcome o = runner.run(b.images(), b.labels(), schedule.lr(step),
                                schedule.momentum(step, baseMomentum));
                        for (int u = 0; u < steps.size(); u++) {
                            if (!Double.isFinite(o.losses()[u])) throw diverged(index, e, block.firstUnit() + u, net,
                                    o.losses()[u]);
                            lossSum[u] += o.losses()[u] * b.size();
                            correct[u] += o.corrects()[u];
                        }
                        seen += b.size();
                    }
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    int lastUnit = steps.size() - 1;
                    progress.lastLoss = lossSum[lastUnit] / Math.max(1, seen);
                    progress.lastTrainAccuracy = (double) correct[lastUnit] / Math.max(1, seen);
                    progress.samplesPerSecond = seen / Math.max(1e-9, seconds);
                    err.println(progressLine(index, e, lossSum, correct, seen, seconds, start));
                    progress.epochsDone = e + 1;
                    progress.stepsRun = runner.stepsRun();
                    progress.trainedSeconds = secondsBefore + (System.nanoTime() - start) / 1e9;
                    MemoryTrace.phase("block " + (index + 1) + " checkpoint " + (e + 1));
                    checkpoints.save(net, runner.state(), "block " + (index + 1) + " epoch " + (e + 1));
                }
                net.setValues(runner.modelValues());
            }
        });
        System.gc(); // direct buffers of the block's batches are freed now, not in the next block's measurement
        return new BlockResult(block, s.epochs(), peak, null, progress.trainedSeconds, progress.lastLoss,
                progress.lastTrainAccuracy, progress.samplesPerSecond, null);
    }

    /** The values of a block's state that are the network's own (parameters and statistics, not optimizer state). */
    private static Map<String, Tensor> onlyNetworkValues(HeadedNetwork net, Map<String, Tensor> state) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (net.values().containsKey(k)) m.put(k, v);
        });
        return m;
    }

    private TrainingDivergedException diverged(int block, int epoch, int unit, HeadedNetwork net, double loss) {
        String last = checkpoints.lastSaved();
        return new TrainingDivergedException("the loss of " + net.unit(unit).name() + " became " + loss + " in block "
                + (block + 1) + ", epoch " + (epoch + 1) + "; " + (last == null ? "no checkpoint was written yet"
                : "the last good checkpoint (" + last + ") is kept in " + checkpoints.dir())
                + "; try a lower --lr");
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

    /** The trained block's units and exits, inference form, as an ONNX file in DIR/blocks. */
    private void writeBlockWeights(HeadedNetwork net, int index, Block block) {
        try {
            OnnxModels.write(net.blockInference(block.firstUnit(), block.lastUnit()),
                    s.out().resolve("blocks").resolve("block" + (index + 1) + ".onnx"));
        } catch (IOException e) {
            if (DiskFullException.isDiskFull(e)) throw new DiskFullException("the weights of block " + (index + 1), e);
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
                    written.add(writeCache(inference, source, batch, trainCacheFile(cacheDir, index, v), shape));
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
            if (DiskFullException.isDiskFull(e)) throw new DiskFullException("the cache in " + cacheDir, e);
            throw new BadInputException("cannot write the cache in " + cacheDir + ": " + e.getMessage());
        }
        return written;
    }

    private BlockInference.Pass passWriting(BlockInference inference, Dataset data, int batch, Path file,
                                            HeadedNetwork net, Block block, List<Path> written) throws IOException {
        long[] shape = net.sampleShape(net.unit(block.lastUnit()).outputName());
        try (CacheWriter w = new CacheWriter(file, s.cacheDtype(), shape, data.size())) {
            BlockInference.Pass p = inference.pass(data, batch, w);
            TestHooks.reached("cache-write");
            TestHooks.writing("cache");
            w.finish();
            written.add(file);
            return p;
        }
    }

    private Path writeCache(BlockInference inference, Dataset data, int batch, Path file, long[] shape)
            throws IOException {
        try (CacheWriter w = new CacheWriter(file, s.cacheDtype(), shape, data.size())) {
            inference.pass(data, batch, w);
            TestHooks.reached("cache-write");
            TestHooks.writing("cache");
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

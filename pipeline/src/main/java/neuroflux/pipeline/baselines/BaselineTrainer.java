package neuroflux.pipeline.baselines;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.OnnxModels;
import neuroflux.onnx.Shapes;
import neuroflux.onnx.Tensor;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.ExitSelection;
import neuroflux.pipeline.Inputs;
import neuroflux.pipeline.Planning;
import neuroflux.pipeline.WrittenModelTest;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.checkpoint.CorruptCheckpointException;
import neuroflux.pipeline.checkpoint.RunFolder;
import neuroflux.pipeline.checkpoint.RunProgress;
import neuroflux.pipeline.checkpoint.RunSettings;
import neuroflux.pipeline.checkpoint.TestHooks;
import neuroflux.stages.block.BlockRunner;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.block.RecomputeSteps;
import neuroflux.stages.block.RecomputingRunner;
import neuroflux.stages.block.UnitStep;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.data.Augmentation;
import neuroflux.stages.data.Batch;
import neuroflux.stages.data.BatchLoader;
import neuroflux.stages.heads.HeadWidthRule;
import neuroflux.stages.memory.Budget;
import neuroflux.stages.memory.MemoryProbe;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.memory.PeakMemoryMeter;
import neuroflux.stages.plan.BlockPlanner;
import neuroflux.stages.plan.BudgetTooSmallException;
import neuroflux.stages.plan.Plan;
import neuroflux.stages.plan.PlannerSettings;
import neuroflux.stages.profile.UnitProfiler;
import neuroflux.stages.train.LearningRateSchedule;
import neuroflux.stages.train.TrainingDivergedException;

/**
 * The baselines NeuroFlux is compared with, trained under the same budget and measured the same way as compress
 * (the whole training, per-epoch evaluation included, inside the {@link PeakMemoryMeter}), with the same
 * optimizer, schedule, epochs, augmentation, data split and seed:
 *
 * <ul>
 *   <li>{@code bp}: end-to-end backpropagation of the whole model, at the largest batch whose peak fits the budget
 *       (the profile's backprop line, then verified with real steps); exit: the model's own classifier.</li>
 *   <li>{@code bp-checkpoint}: the same backpropagation with activation recomputation ({@link RecomputeSteps}):
 *       only unit inputs are kept through the forward pass, each unit recomputed in the backward pass; batch: the
 *       largest that fits with every unit input and one unit's training activations alive, verified likewise.</li>
 *   <li>{@code ll}: classic local learning (decoupled greedy learning): a fixed-width head
 *       ({@link HeadWidthRule#classicLocalLearning()}) on every unit but the last, every unit trained on every
 *       batch in one pass with its input detached, one batch size for the whole network, no cache; the exit is
 *       chosen like compress chooses it.</li>
 * </ul>
 *
 * {@code bp} and {@code ll} run on {@link BlockRunner}: {@code bp} as one block holding the whole model's step,
 * {@code ll} as one block of all units, which is exactly what decoupled greedy learning does on each batch.
 */
public final class BaselineTrainer {
    /** Steps run when a batch size is verified, as compress verifies its blocks. */
    static final int VERIFY_STEPS = Planning.VERIFY_STEPS;
    /** Minutes of training between two checkpoints within an epoch, unless a user chose otherwise. */
    public static final double DEFAULT_CHECKPOINT_MINUTES = 10;
    /** The methods this class trains. */
    public static final List<String> METHODS = List.of("bp", "bp-checkpoint", "ll");

    /** A runner of the whole network's training at one batch size, whichever way the method trains. */
    private interface Runner extends AutoCloseable {
        /** One step on a batch; returns the loss of the last exit (the model's classifier). */
        double step(float[] images, long[] labels, double lr, double momentum);

        Map<String, Tensor> modelValues();

        /** The carried state (parameters, statistics, optimizer state): what a checkpoint keeps. */
        Map<String, Tensor> state();

        long stepsRun();

        @Override
        void close();
    }

    private static Runner of(BlockRunner r) {
        return new Runner() {
            public double step(float[] images, long[] labels, double lr, double momentum) {
                double[] losses = r.run(images, labels, lr, momentum).losses();
                return losses[losses.length - 1];
            }

            public Map<String, Tensor> modelValues() {
                return r.modelValues();
            }

            public Map<String, Tensor> state() {
                return r.state();
            }

            public long stepsRun() {
                return r.stepsRun();
            }

            public void close() {
                r.close();
            }
        };
    }

    private static Runner of(RecomputingRunner r) {
        return new Runner() {
            public double step(float[] images, long[] labels, double lr, double momentum) {
                return r.run(images, labels, lr, momentum).loss();
            }

            public Map<String, Tensor> modelValues() {
                return r.modelValues();
            }

            public Map<String, Tensor> state() {
                return r.state();
            }

            public long stepsRun() {
                return r.stepsRun();
            }

            public void close() {
                r.close();
            }
        };
    }

    /** Opens a runner of the compiled training: fresh, or where a checkpoint left it. */
    private interface RunnerFactory {
        Runner open(Map<String, Tensor> state, long stepsRun);

        default Runner fresh() {
            return open(Map.of(), 0);
        }
    }

    /** What a baseline run did; the report is written from it. */
    public record Result(String method, Inputs inputs, VerifiedBatch batch, PeakMeasurement trainPeak,
                         List<CompressPipeline.ExitResult> exits, int selected, double testAccuracy,
                         List<HistoryPoint> history, double trainSeconds, double wallSeconds, long usableBytes,
                         int resumes) {
        public CompressPipeline.ExitResult selectedExit() {
            return exits.get(selected);
        }
    }

    private final String method;
    private final CompressPipeline.Settings s;
    private final int fixedBatch;
    private final PrintStream err;
    private final PeakMemoryMeter deviceMeter;
    /** The device meter anchored at rest once the data is loaded: every figure of the run counts from there. */
    private PeakMemoryMeter meter;
    /** The command line's arguments, kept in the checkpoint so that --resume DIR alone continues the run. */
    private List<String> arguments = List.of();
    /** Nanoseconds of training between two checkpoints within an epoch; 0: a checkpoint after each epoch only. */
    private long checkpointEvery = (long) (DEFAULT_CHECKPOINT_MINUTES * 60e9);
    /** Checkpoint tensor names: the runner's carried state. */
    static final String STATE = "state/";

    /**
     * @param method one of {@link #METHODS}
     * @param fixedBatch a batch size a user fixed (measured, never lowered), or 0 for the largest that fits
     */
    public BaselineTrainer(String method, CompressPipeline.Settings settings, int fixedBatch, PrintStream err) {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("no baseline '" + method + "'");
        }
        this.method = method;
        this.s = settings;
        this.fixedBatch = fixedBatch;
        this.err = err;
        this.deviceMeter = this.meter = PeakMemoryMeter.forDevice(settings.runtime().device());
    }

    /** Keeps the command line's arguments in the checkpoint, for --resume DIR. */
    public BaselineTrainer withArguments(List<String> args) {
        this.arguments = List.copyOf(args);
        return this;
    }

    /**
     * Writes a checkpoint within an epoch after every {@code minutes} of training (0: after each epoch only), so a
     * run stopped in a long epoch goes on from its last checkpoint with the same batches and steps.
     */
    public BaselineTrainer withCheckpointEvery(double minutes) {
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new IllegalArgumentException("minutes between checkpoints must be 0 or more, not " + minutes);
        }
        this.checkpointEvery = (long) (minutes * 60e9);
        return this;
    }

    private boolean local() {
        return method.equals("ll");
    }

    public Result run() throws IOException {
        long start = System.nanoTime();
        RunFolder.prepare(s.out());
        CheckpointStore store = new CheckpointStore(s.out());
        Stopped stopped = stoppedRun(store);
        Inputs inputs = Inputs.load(s.model(), s.data(), s.seed(), s.out().resolve("input-model.onnx"),
                local() ? HeadWidthRule.classicLocalLearning() : HeadWidthRule.adaptive());
        meter = deviceMeter.anchoredAtRest();
        HeadedNetwork net = inputs.network();
        int trainSize = inputs.data().train().size();
        PlannerSettings planner = new PlannerSettings(s.budget().bytes(), s.margin(), s.batchCap(), s.epochs(),
                trainSize, 0, 0);
        err.printf("neuroflux train --method %s: %s, %d units; data %s: %,d train, %,d validation, %,d test%n",
                method, inputs.modelName(), net.size(), inputs.data().name(), trainSize,
                inputs.data().validation().size(), inputs.data().test().size());

        VerifiedBatch batch;
        IntFunction<RunnerFactory> stepsAt = b -> compile(net, b);
        BaselineProgress progress = null;
        if (stopped != null) {
            // the batch was verified by measurement: a resumed run trains at the same one, not a new measurement
            progress = stopped.progress();
            batch = progress.verifiedBatch();
            progress.resumes++;
            err.printf("resuming the run in %s: %d of %d epochs done, batch %d%s%n", s.out(), progress.epochsDone,
                    s.epochs(), batch.batch(), progress.batchesDone == 0 ? "" : "; epoch " + (progress.epochsDone + 1)
                            + " goes on after its step " + progress.batchesDone);
        } else if (fixedBatch > 0) {
            batch = new VerifiedBatch(fixedBatch, fixedBatch, PeakMeasurement.unavailable("not verified: the batch"
                    + " size was given"));
        } else {
            err.println("profiling units...");
            UnitProfiler.Profile profile = new UnitProfiler(s.profile().withBracket(planner.usableBytes()),
                    deviceMeter).profile(net);
            // what loading the runtime and profiling left resident is in the measured figures: predicted too
            planner = planner.withResidentBytes(Planning.residentBytes(meter));
            long[] fixedAndPlanned = plannedBatch(profile, planner, net);
            err.printf("verifying batch %d: a few real steps inside the memory probe...%n", fixedAndPlanned[1]);
            batch = VerifiedBatch.verify((int) fixedAndPlanned[1], b -> verificationWork(stepsAt.apply(b), net, b),
                    fixedAndPlanned[0], planner.usableBytes(), meter);
            if (batch.measurements().size() > 1) err.println("measured " + batch.describeMeasurements());
            err.printf("batch %d (planned %d), verified peak %s of %s usable%n", batch.batch(), batch.planned(),
                    batch.peak().describe(), Budget.format(planner.usableBytes()));
        }
        if (batch.batch() > trainSize) {
            throw new BadInputException("batch " + batch.batch() + " exceeds the " + trainSize + " training samples;"
                    + " lower --batch-cap");
        }
        if (stopped == null) {
            progress = new BaselineProgress();
            progress.settings.putAll(runSettings());
            progress.arguments.addAll(arguments);
            progress.batch = batch.batch();
            progress.plannedBatch = batch.planned();
            progress.verifiedPeak = RunProgress.Peak.of(batch.peak());
            // kept from here on, so that a run stopped in its first epoch does not measure its batch again
            saveCheckpoint(store, progress, Map.of(), "verification");
        }

        // the wall clock of a resumed run goes on from its last checkpoint's
        long runStart = start - (long) (progress.elapsedSeconds * 1e9);
        Map<String, Tensor> resumedState = stopped == null ? Map.of() : stopped.state();
        PeakMeasurement peak = train(net, inputs, stepsAt.apply(batch.batch()), batch.batch(), runStart, progress,
                resumedState, store);
        List<CompressPipeline.ExitResult> exits = progress.exits;
        List<HistoryPoint> history = progress.history;
        double trainSeconds = progress.trainSeconds;

        int selected = ExitSelection.select(exits, s.exitTolerance());
        CompressPipeline.ExitResult chosen = exits.get(selected);
        Path modelFile = s.out().resolve("model.onnx");
        OnnxModels.write(net.exitModel(chosen.unit()), modelFile);
        double accuracy = WrittenModelTest.run(modelFile, inputs.data().test(), 256, s.runtime()).accuracy();
        return new Result(method, inputs, batch, peak, exits, selected, accuracy, history, trainSeconds,
                (System.nanoTime() - runStart) / 1e9, planner.usableBytes(), progress.resumes);
    }

    /** The settings a continued run must share with the stopped one: compress's, the method and a fixed batch. */
    private Map<String, String> runSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", method);
        m.putAll(RunSettings.of(s));
        m.put("batch-size", fixedBatch > 0 ? String.valueOf(fixedBatch) : "largest that fits");
        return m;
    }

    /** A stopped run's progress and carried state, read from its checkpoint. */
    private record Stopped(BaselineProgress progress, Map<String, Tensor> state) {}

    /** The run stopped in the output folder, or null where none was; one with other settings is refused. */
    private Stopped stoppedRun(CheckpointStore store) throws IOException {
        if (!store.exists()) return null;
        CheckpointStore.Loaded loaded = store.read();
        BaselineProgress p = BaselineProgress.fromJson(loaded.state(), store.dir());
        List<String> differences = p.differences(runSettings());
        if (!differences.isEmpty()) {
            throw new BadInputException(s.out() + " holds a run with other settings (" + String.join("; ",
                    differences) + "): give the same settings to continue it, or --overwrite to start again");
        }
        if (!p.complete()) throw new CorruptCheckpointException(store.dir(), "it names no verified batch size");
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : loaded.tensors().entrySet()) {
            if (e.getKey().startsWith(STATE)) state.put(e.getKey().substring(STATE.length()), e.getValue());
        }
        return new Stopped(p, state);
    }

    /** Writes a checkpoint of the progress and the runner's state (empty before the first epoch). */
    private static void saveCheckpoint(CheckpointStore store, BaselineProgress progress, Map<String, Tensor> state,
                                       String label) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        state.forEach((k, v) -> tensors.put(STATE + k, v));
        store.save(progress.toJson(), tensors, label);
    }

    /** The higher of a stopped run's peak and this process's: a resumed run reports its highest. */
    static PeakMeasurement highest(RunProgress.Peak before, PeakMeasurement now) {
        if (before == null || !before.available() || !now.available()) return now;
        List<String> notes = new ArrayList<>(now.notes());
        notes.add("the highest over the processes of a resumed run");
        return PeakMeasurement.measured(Math.max(before.bytes(), now.bytes()), now.method(), notes);
    }

    /** {fixed bytes, planned batch} from the profile; a budget that not even batch 1 fits is refused. */
    private long[] plannedBatch(UnitProfiler.Profile profile, PlannerSettings settings, HeadedNetwork net) {
        BlockPlanner planner = new BlockPlanner(settings);
        if (method.equals("bp-checkpoint")) {
            // alive at once: every unit's input (the boundary activations) and one unit's training activations
            long fixed = profile.backprop().plannerLine().fixedBytes() + settings.residentBytes();
            long inputs = 0;
            long largestUnit = 0;
            for (var u : profile.plannerProfiles()) {
                inputs += u.inputBytesPerSample();
                largestUnit = Math.max(largestUnit, u.activationBytesPerSample());
            }
            int b = planner.largestBatch(fixed - settings.residentBytes(), inputs + largestUnit);
            if (b < 1) throw tooSmall("backprop with recomputation", fixed + inputs + largestUnit, settings);
            return new long[] {fixed, b};
        }
        if (!local()) {
            var line = profile.backprop().plannerLine();
            int b = planner.largestBackpropBatch(line.fixedBytes(), line.bytesPerSample());
            long fixed = line.fixedBytes() + settings.residentBytes();
            if (b < 1) throw tooSmall("end-to-end backprop", fixed + line.bytesPerSample(), settings);
            return new long[] {fixed, b};
        }
        Plan one = planner.planSplit(profile.plannerProfiles(), List.of(net.size()));
        long fixed = planner.peakAt(profile.plannerProfiles(), 0, net.size() - 1, 0);
        if (one == null) {
            throw tooSmall("local learning of all units at once", planner.peakAt(profile.plannerProfiles(), 0,
                    net.size() - 1, 1), settings);
        }
        return new long[] {fixed, one.blocks().getFirst().batch()};
    }

    private static BudgetTooSmallException tooSmall(String what, long needAtOne, PlannerSettings settings) {
        long smallest = (long) Math.ceil(needAtOne / (1 - settings.margin()));
        return new BudgetTooSmallException("a memory budget of " + Budget.format(settings.budgetBytes()) + " is too"
                + " small for " + what + ": the profile predicts " + Budget.format(needAtOne) + " at batch size 1;"
                + " the smallest budget that works is about " + Budget.format(smallest) + " (" + smallest
                + " bytes)", smallest);
    }

    /**
     * Compiles the method's training at a batch size, and returns how to open a runner on it. bp: the whole
     * model's step; bp-checkpoint: per-unit forwards and recomputing backwards; ll: every unit's step with its
     * head, each passing its output to the next.
     */
    private RunnerFactory compile(HeadedNetwork net, int batch) {
        Optimizer optimizer = s.optimizerSpec();
        RuntimeOptions runtime = s.runtime();
        if (method.equals("bp-checkpoint")) {
            RecomputeSteps steps = RecomputeSteps.compile(net, batch, optimizer);
            return (state, stepsRun) -> of(new RecomputingRunner(steps, runtime, state, stepsRun));
        }
        List<UnitStep> steps = new ArrayList<>();
        if (!local()) steps.add(UnitStep.compileWhole(net, batch, optimizer));
        else for (int k = 0; k < net.size(); k++) steps.add(UnitStep.compile(net, k, batch, k < net.size() - 1, optimizer));
        return (state, stepsRun) -> of(new BlockRunner(steps, runtime, state, stepsRun));
    }

    /** A few steps on random inputs: what the training holds, without the data loading around it. */
    private Runnable verificationWork(RunnerFactory training, HeadedNetwork net, int batch) {
        long[] sample = net.model().sampleShape();
        SplittableRandom random = new SplittableRandom(s.seed());
        float[] images = new float[Math.toIntExact(batch * Shapes.size(sample))];
        for (int i = 0; i < images.length; i++) images[i] = (float) (random.nextDouble() * 2 - 1);
        long[] labels = new long[batch];
        for (int i = 0; i < labels.length; i++) labels[i] = random.nextInt(net.model().classes());
        return () -> {
            try (Runner runner = training.fresh()) {
                for (int i = 0; i < VERIFY_STEPS; i++) runner.step(images, labels, 0, 0);
            }
        };
    }

    /**
     * Trains, measuring the training as compress measures a block's: the runner's whole life (opening, every step)
     * is inside the memory probe; the evaluation after each epoch, which compress also runs outside its training
     * figure (in its caching pass), is not, but what it leaves resident counts in the next epoch's figure. Where
     * the probe cannot measure spans (not Linux), the meter measures the whole loop, evaluations included.
     */
    private PeakMeasurement train(HeadedNetwork net, Inputs inputs, RunnerFactory training, int batch,
                                  long runStart, BaselineProgress progress, Map<String, Tensor> resumedState,
                                  CheckpointStore store) {
        long stepsPerEpoch = inputs.data().train().size() / batch;
        LearningRateSchedule schedule = s.learningRates().at(batch, stepsPerEpoch * s.epochs());
        double baseMomentum = s.optimizerSpec().momentum();
        Augmentation augmentation = s.data().augmentation(inputs.model().sampleShape());
        MemoryProbe.Span span = meter instanceof MemoryProbe.Anchored anchored ? anchored.span()
                : meter instanceof MemoryProbe probe ? probe.span() : null;
        Consumer<Runnable> measured = span != null ? span::measure : Runnable::run;
        List<String> notes = List.of("per-epoch evaluation outside the figure, as compress's caching pass");
        RunProgress.Peak peakBefore = progress.trainPeak;
        long trainStart = System.nanoTime();
        double trainBefore = progress.trainSeconds;
        Runnable loop = () -> {
            Runner[] runner = new Runner[1];
            try {
                measured.accept(() -> runner[0] = training.open(resumedState, progress.stepsRun));
                if (!resumedState.isEmpty()) net.setValues(runner[0].modelValues());
                // the progress up to now, with the runner's state, as the checkpoint named by the label
                BiConsumer<Double, String> checkpoint = (wall, label) -> {
                    progress.stepsRun = runner[0].stepsRun();
                    progress.elapsedSeconds = wall;
                    progress.trainSeconds = trainBefore + (System.nanoTime() - trainStart) / 1e9;
                    if (span != null) progress.trainPeak = RunProgress.Peak.of(highest(peakBefore, span.result(notes)));
                    saveCheckpoint(store, progress, runner[0].state(), label);
                };
                for (int e = progress.epochsDone; e < s.epochs(); e++) {
                    int epoch = e;
                    boolean[] finished = new boolean[1];
                    while (true) {
                        long partStart = System.nanoTime();
                        measured.accept(() -> finished[0] = epochPart(runner[0], inputs, batch, epoch, schedule,
                                baseMomentum, augmentation, progress, partStart));
                        if (finished[0]) break;
                        // a checkpoint within the epoch, outside the measured span as the epoch's own is
                        checkpoint.accept((System.nanoTime() - runStart) / 1e9, "step " + progress.batchesDone
                                + " of epoch " + (e + 1));
                    }
                    double loss = progress.epochLossSum / Math.max(1, progress.epochSamples);
                    measured.accept(() -> net.setValues(runner[0].modelValues()));
                    List<CompressPipeline.ExitResult> exits = evaluateExits(net, inputs, batch);
                    CompressPipeline.ExitResult chosen = exits.get(ExitSelection.select(exits, s.exitTolerance()));
                    double wall = (System.nanoTime() - runStart) / 1e9;
                    err.printf(Locale.ROOT, "%s epoch %d/%d: loss %.4f, test accuracy %.4f (exit after %s), %.1f s%n",
                            method, e + 1, s.epochs(), loss, chosen.testAccuracy(), chosen.unitName(), wall);
                    progress.exits = new ArrayList<>(exits);
                    progress.history.add(new HistoryPoint(wall, chosen.testAccuracy()));
                    progress.epochsDone = e + 1;
                    progress.batchesDone = 0;
                    progress.epochLossSum = 0;
                    progress.epochSamples = 0;
                    checkpoint.accept(wall, "epoch " + (e + 1));
                }
            } finally {
                if (runner[0] != null) measured.accept(runner[0]::close);
            }
        };
        PeakMeasurement peak;
        if (span != null) {
            loop.run();
            peak = highest(peakBefore, span.result(notes));
        } else {
            peak = meter.measure(loop);
        }
        progress.trainSeconds = trainBefore + (System.nanoTime() - trainStart) / 1e9;
        System.gc();
        return peak;
    }

    /**
     * Steps through epoch {@code e} from the batch the progress names, adding each step's loss (the last exit's) to
     * it; stops early, returning false, once {@link #checkpointEvery} has passed since {@code since} and batches
     * remain, so that a checkpoint can be written: a run stopped then loses minutes, not the epoch.
     */
    private boolean epochPart(Runner runner, Inputs inputs, int batch, int e, LearningRateSchedule schedule,
                              double baseMomentum, Augmentation augmentation, BaselineProgress progress, long since) {
        BatchLoader loader = BatchLoader.training(inputs.data().train(), batch, s.seed(), augmentation);
        int count = loader.batchesPerEpoch();
        for (Batch b : loader.epoch(e, progress.batchesDone)) {
            long step = runner.stepsRun();
            double loss = runner.step(b.images(), b.labels(), schedule.lr(step), schedule.momentum(step,
                    baseMomentum));
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("training diverged: the loss became " + loss + " at step "
                        + (step + 1) + "; lower the learning rate");
            }
            progress.epochLossSum += loss * b.size();
            progress.epochSamples += b.size();
            progress.batchesDone++;
            TestHooks.reached("baseline-step");
            if (checkpointEvery > 0 && progress.batchesDone < count && System.nanoTime() - since >= checkpointEvery) {
                return false;
            }
        }
        return true;
    }

    /** bp: the model's own classifier; ll: every exit. Each written and run from its file, as a user would. */
    private List<CompressPipeline.ExitResult> evaluateExits(HeadedNetwork net, Inputs inputs, int batch) {
        List<CompressPipeline.ExitResult> out = new ArrayList<>();
        RuntimeOptions runtime = s.runtime().withoutCpuArena();
        for (int k = local() ? 0 : net.size() - 1; k < net.size(); k++) {
            Path file = s.out().resolve("exit-evaluation.onnx");
            try {
                OnnxModels.write(net.exitModel(k), file);
                double val = WrittenModelTest.run(file, inputs.data().validation(), batch, runtime).accuracy();
                WrittenModelTest.Outcome test = WrittenModelTest.run(file, inputs.data().test(), batch, runtime);
                out.add(new CompressPipeline.ExitResult(k, net.unit(k).name(), net.exitName(k),
                        net.exitParameters(k), val, test.accuracy(), test.predictions()));
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write exit " + k + " for evaluation: " + e.getMessage(), e);
            }
        }
        return out;
    }
}

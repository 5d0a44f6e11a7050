package neuroflux.stages.profile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.stages.block.BlockInference;
import neuroflux.stages.block.BlockRunner;
import neuroflux.stages.block.HeadedNetwork;
import neuroflux.stages.block.UnitStep;
import neuroflux.stages.compile.Optimizer;
import neuroflux.stages.heads.Head;
import neuroflux.stages.memory.MemoryCategory;
import neuroflux.stages.memory.PeakMeasurement;
import neuroflux.stages.memory.PeakMemoryMeter;
import neuroflux.stages.plan.MemoryCurve;
import neuroflux.stages.plan.MemoryLine;
import neuroflux.stages.plan.StepTime;
import neuroflux.stages.plan.UnitProfile;

/**
 * Profiles every unit with its exit (head, or the model's classifier for the last unit), and the whole model's
 * end-to-end backpropagation step, for the planner.
 *
 * <p>Predicted: the unit's training step is compiled at batch size 1, every power of two below
 * {@link Settings#predictionBatch} (the planner's batch cap) and the cap, and its static memory plan taken at each;
 * the predicted line is the lowest line through the peak at 1 that is at or above every other one. A straight fit
 * through two batch sizes is not enough: a step's peak is the larger of one dominated by fixed memory (at the
 * optimizer update) and one that grows with the activations, and the compiled graph itself differs a little between
 * batch sizes (the compiler folds some index constants at small ones), so between two points the peaks can lie
 * above the line through them.
 *
 * <p>Measured: at {@link Settings#smallBatch} and at a second, larger batch size, inside the device's memory meter, the
 * step's session is opened and run for one warm-up and {@link Settings#timedSteps} timed steps on random inputs
 * (the values do not change memory or time); then the unit's inference pass (the caching pass) is timed the same
 * way. The two measured peaks and the two times give a {@link StepTime}. The second batch size is four times
 * the one at which the static plan says the activations reach the fixed memory (at least
 * {@link Settings#largeBatch}, at most half the prediction batch): two batch sizes that both sit where fixed memory
 * dominates the peak give a slope that says nothing of large batches (measured on VGG-11's third unit: a slope from
 * batch sizes 4 and 32 was 45% of the one from 128 and 375, and from 4 and 43 the plan was still 16% short).
 *
 * <p>Bracketing: with a budget ({@link Settings#bracketBytes}, the usable bytes), the second batch is no larger than
 * the one at which the unit alone is expected to fill it, and where the budget admits a batch well beyond the second
 * one (more than a quarter more), the step's peak is measured there too (one warm-up and one step, not timed):
 * the planner never gives the unit a larger batch than it can have alone, so its figures then bracket every batch a
 * block of it can get. A step's peak bends upwards with the batch (see {@link MemoryCurve}): VGG-11's fifth unit
 * measured 21% above the line through batch sizes 4 and 256 at 512.
 *
 * <p>Held: inside each measurement, after the steps and before the session closes, the meter's level is read
 * ({@link PeakMemoryMeter#levelBytes()}); less the level before, it is what the unit keeps while other units of its
 * block train (its session, parameters and optimizer state, what its runs leave allocated), which is less than its
 * peak's fixed part (the gradients and the updated state's new copy come and go within its own step).
 *
 * <p>What the planner gets ({@link UnitFigures#plannerProfile()}): where memory was measured, the measured peaks
 * as a {@link MemoryCurve} through the measured batch sizes, beyond the last one the larger of its last slope and
 * the predicted slope, and the measured held memory, its own input batch taken out. Where memory could not be
 * measured, the predicted line, all its fixed bytes held. Times are always measured.
 */
public final class UnitProfiler {
    /**
     * @param smallBatch the first batch size profiled
     * @param largeBatch the second, larger one
     * @param timedSteps steps timed after one warm-up step at each batch size
     * @param optimizer the optimizer compiled into the steps (its state is part of the fixed memory)
     * @param runtime where and with how many threads steps run
     * @param seed seeds the random inputs
     * @param bracketBytes the usable bytes of the budget the profile is for, to bracket the batch sizes a plan can
     *        choose (see the class comment); 0: no budget, two batch sizes measured as without one
     */
    public record Settings(int smallBatch, int largeBatch, int predictionBatch, int timedSteps,
                           Optimizer optimizer, RuntimeOptions runtime, long seed, long bracketBytes) {
        public Settings {
            if (smallBatch < 1 || largeBatch <= smallBatch) {
                throw new IllegalArgumentException("profile batch sizes must be 1 <= small < large, not "
                        + smallBatch + " and " + largeBatch);
            }
            if (predictionBatch < 2) throw new IllegalArgumentException("the prediction batch must be at least 2");
            if (timedSteps < 1) throw new IllegalArgumentException("at least one timed step, not " + timedSteps);
            if (bracketBytes < 0) throw new IllegalArgumentException("the bracket is non-negative: " + bracketBytes);
        }

        /** Without a budget to bracket. */
        public Settings(int smallBatch, int largeBatch, int predictionBatch, int timedSteps, Optimizer optimizer,
                        RuntimeOptions runtime, long seed) {
            this(smallBatch, largeBatch, predictionBatch, timedSteps, optimizer, runtime, seed, 0);
        }

        /** Measured at batch sizes 4 and 32 (two timed steps each), predicted at 1 and {@code batchCap}. */
        public static Settings defaults(int batchCap, Optimizer optimizer, RuntimeOptions runtime) {
            return new Settings(4, 32, Math.max(2, batchCap), 2, optimizer, runtime, 0);
        }

        public Settings withBatches(int small, int large) {
            return new Settings(small, large, predictionBatch, timedSteps, optimizer, runtime, seed, bracketBytes);
        }

        /** These settings bracketing the batch sizes a budget of {@code usableBytes} admits. */
        public Settings withBracket(long usableBytes) {
            return new Settings(smallBatch, largeBatch, predictionBatch, timedSteps, optimizer, runtime, seed,
                    usableBytes);
        }
    }

    /**
     * A measured point of a unit's step.
     *
     * @param batch the batch size
     * @param peakBytes the step's measured peak
     * @param heldBytes what the step's session kept after its steps, its input batch included; -1 where the meter
     *        cannot read its level
     */
    public record Point(int batch, long peakBytes, long heldBytes) {}

    /**
     * One unit's figures.
     *
     * @param predicted the static plan's line (predicted)
     * @param points the measured points, by ascending batch size; empty where memory could not be measured
     * @param trainTime measured training step time
     * @param cacheTime measured inference (caching) time
     * @param stateBytes the parameters, optimizer state and running statistics the step holds from start to end
     *        (static plan): what a step certainly needs, so no figure the planner uses is below it. A measured
     *        figure can be, where the step reused memory that was already resident (a test JVM read about 0 for a
     *        tiny unit, and an 8 KiB budget was accepted).
     * @param passedOutputBytesPerSample bytes per sample by which passing the unit's output on to a next unit raises
     *        its step's peak: the measured steps pass it on (a step output, which ONNX Runtime keeps in an
     *        allocation of its own to the step's end), a unit that ends its block does not. Taken as the whole
     *        output: VGG-11's third unit alone (output 50,176 B per sample), at batch 373, 400 and 421, measured
     *        18.1, 15.2 and 18.1 MiB lower without it, against outputs of 17.8, 19.1 and 20.1 MiB; the static plan
     *        sees no difference, since it keeps the output alive for the head's backward either way.
     */
    public record UnitFigures(int unit, String name, String exit, int headFilters, long headParameters,
                              long exitParameters, long inputBytesPerSample, long outputBytesPerSample,
                              MemoryLine predicted, List<Point> points, StepTime.Linear trainTime,
                              StepTime.Linear cacheTime, long stateBytes, long passedOutputBytesPerSample) {
        public UnitFigures {
            points = List.copyOf(points);
        }

        /** The line through the first two measured points, or null where memory could not be measured. */
        public MemoryLine measured() {
            if (points.size() < 2) return null;
            return MemoryLine.fit(points.get(0).batch(), points.get(0).peakBytes(), points.get(1).batch(),
                    points.get(1).peakBytes());
        }

        /** The measured batch sizes. */
        public List<Integer> measuredBatches() {
            return points.stream().map(Point::batch).toList();
        }

        /** Bytes per sample of the step beyond its own input batch, from a line (the planner places the input). */
        public long activationBytesPerSample(MemoryLine line) {
            return Math.max(0, line.bytesPerSample() - inputBytesPerSample);
        }

        /** The peak curve the planner uses: see the class comment. */
        public MemoryCurve plannerPeak() {
            if (points.size() < 2) return MemoryCurve.line(predicted);
            int[] batches = points.stream().mapToInt(Point::batch).toArray();
            // a tiny step can read below what it holds, even below zero (memory freed or reused while it ran)
            long[] peaks = points.stream().mapToLong(p -> Math.max(stateBytes, p.peakBytes())).toArray();
            MemoryCurve measuredOnly = new MemoryCurve(batches, peaks, 0);
            return new MemoryCurve(batches, peaks, Math.max(measuredOnly.lastSlope(), predicted.bytesPerSample()));
        }

        /** What the unit holds while other units of its block train, its own input batch not included. */
        public MemoryCurve plannerHeld() {
            boolean read = points.size() >= 2 && points.stream().allMatch(p -> p.heldBytes() >= 0);
            if (!read) return MemoryCurve.line(plannerPeak().at(0), 0);
            int[] batches = points.stream().mapToInt(Point::batch).toArray();
            long[] held = points.stream().mapToLong(p -> Math.max(stateBytes, p.heldBytes())).toArray();
            MemoryCurve measuredOnly = new MemoryCurve(batches, held, 0);
            return new MemoryCurve(batches, held, measuredOnly.lastSlope()).minusPerSample(inputBytesPerSample);
        }

        public UnitProfile plannerProfile() {
            return new UnitProfile(name, plannerPeak(), plannerHeld(), inputBytesPerSample, outputBytesPerSample,
                    passedOutputBytesPerSample, trainTime, cacheTime);
        }
    }

    /** The whole model's backpropagation step: predicted and (where measurable) measured lines. */
    public record BackpropFigures(long parameters, MemoryLine predicted, MemoryLine measured,
                                  StepTime.Linear trainTime) {
        public MemoryLine plannerLine() {
            return UnitProfiler.plannerLine(measured, predicted);
        }
    }

    /**
     * A model's profile.
     *
     * @param memoryMethod how memory was measured, or why it was not
     * @param notes what may make the measured figures less exact (the Java heap, for one)
     */
    public record Profile(Settings settings, List<UnitFigures> units, BackpropFigures backprop,
                          boolean memoryMeasured, String memoryMethod, List<String> notes) {
        public List<UnitProfile> plannerProfiles() {
            return units.stream().map(UnitFigures::plannerProfile).toList();
        }

        /** "measured" or "predicted (static plan)": which memory figures the planner used. */
        public String plannerMemorySource() {
            return memoryMeasured ? "measured" : "predicted (static plan)";
        }
    }

    /** Measured fixed bytes, and the larger slope of the two; the predicted line where nothing was measured. */
    static MemoryLine plannerLine(MemoryLine measured, MemoryLine predicted) {
        if (measured == null) return predicted;
        return new MemoryLine(measured.fixedBytes(), Math.max(measured.bytesPerSample(), predicted.bytesPerSample()));
    }

    private final Settings settings;
    private final PeakMemoryMeter meter;

    public UnitProfiler(Settings settings, PeakMemoryMeter meter) {
        this.settings = settings;
        this.meter = meter;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * One step of the first unit at the small batch, unmeasured: the first session of the process loads ONNX
     * Runtime's kernels and thread pool, which is no unit's memory. A run that skips profiling (a resumed one) calls
     * it before anchoring its meter, so that the load is not counted in its first block's peak either.
     */
    public void warmUp(HeadedNetwork net) {
        unitStep(net, 0, settings.smallBatch(), 1, new LinkedHashSet<>(), new boolean[1], new String[1]);
    }

    public Profile profile(HeadedNetwork net) {
        List<UnitFigures> units = new ArrayList<>();
        Set<String> notes = new LinkedHashSet<>();
        boolean[] measuredAll = {meter.availability().available()};
        String[] method = {meter.availability().available() ? "" : meter.availability().reason()};
        warmUp(net);
        for (int k = 0; k < net.size(); k++) {
            int unitIndex = k;
            // compiled once at batch 1 for both the predicted line and the state, which no batch changes
            UnitStep atOne = UnitStep.compile(net, k, 1, !net.isLast(k), settings.optimizer());
            MemoryLine predicted = predictedLine(b -> b == 1 ? atOne
                    : UnitStep.compile(net, unitIndex, b, !net.isLast(unitIndex), settings.optimizer()));
            int second = secondBatch(predicted);
            StepFigures small = unitStep(net, k, settings.smallBatch(), settings.timedSteps(), notes, measuredAll,
                    method);
            boolean bracket = settings.bracketBytes() > 0 && small.measured != null;
            if (bracket) {
                // no larger than where the unit alone is expected to fill the budget
                second = Math.max(small.batch + 1, Math.min(second, fitting(small.batch, small.measured,
                        predicted.bytesPerSample())));
            }
            StepFigures large = unitStep(net, k, second, settings.timedSteps(), notes, measuredAll, method);
            List<StepFigures> measured = new ArrayList<>(List.of(small, large));
            if (bracket && large.measured != null) {
                long slope = Math.max(predicted.bytesPerSample(), Math.ceilDiv(Math.max(0, large.measured
                        - small.measured), (long) (large.batch - small.batch)));
                int top = fitting(large.batch, large.measured, slope);
                if (top > large.batch + large.batch / 4) {
                    measured.add(unitStep(net, k, top, 1, notes, measuredAll, method));
                }
            }
            double cacheSmall = cacheSeconds(net, k, settings.smallBatch());
            double cacheLarge = cacheSeconds(net, k, second);
            Head head = net.head(k);
            List<Point> points = measured.stream().allMatch(f -> f.measured != null)
                    ? measured.stream().map(f -> new Point(f.batch, f.measured, f.held)).toList() : List.of();
            units.add(new UnitFigures(k, net.unit(k).name(), net.exitName(k), head == null ? 0 : head.filters(),
                    head == null ? 0 : head.parameterCount(), net.exitParameters(k), net.inputBytesPerSample(k),
                    net.outputBytesPerSample(k), predicted, points,
                    StepTime.fromTwoSteps(small.batch, small.stepSeconds, large.batch, large.stepSeconds),
                    StepTime.fromTwoSteps(small.batch, cacheSmall, large.batch, cacheLarge),
                    stateBytes(atOne), net.isLast(k) ? 0 : net.outputBytesPerSample(k)));
        }
        BackpropFigures backprop = backprop(net, notes, measuredAll, method);
        boolean measured = measuredAll[0];
        return new Profile(settings, units, backprop, measured, method[0], List.copyOf(notes));
    }

    private record StepFigures(int batch, Long measured, long held, double stepSeconds) {}

    /**
     * The largest batch size, at most the prediction batch (the planner's cap), at which a peak of {@code peak} at
     * {@code batch} growing by {@code slope} per sample stays within the bracket's bytes; at least 1.
     */
    int fitting(int batch, long peak, long slope) {
        long cap = settings.predictionBatch();
        if (slope <= 0) return (int) cap;
        long more = Math.floorDiv(settings.bracketBytes() - peak, slope);
        return (int) Math.clamp(batch + more, 1, cap);
    }

    /** The step's parameters, optimizer state and running statistics: resident all through a step. */
    static long stateBytes(UnitStep step) {
        var resident = step.staticPlan().residentByCategory();
        return java.util.stream.Stream.of(MemoryCategory.PARAMETERS, MemoryCategory.OPTIMIZER_STATE,
                        MemoryCategory.RUNNING_STATISTICS)
                .mapToLong(c -> resident.getOrDefault(c, 0L)).sum();
    }

    /** The lowest line through the static peak at batch 1 that is at or above the peaks at the other batches. */
    private MemoryLine predictedLine(java.util.function.IntFunction<UnitStep> compile) {
        List<Integer> batches = new ArrayList<>();
        for (int b = 1; b < settings.predictionBatch(); b *= 2) batches.add(b);
        batches.add(settings.predictionBatch());
        long[] peaks = new long[batches.size()];
        for (int i = 0; i < peaks.length; i++) peaks[i] = compile.apply(batches.get(i)).staticPlan().peakBytes();
        return upperLine(batches, peaks);
    }

    /** The line through (batches[0], peaks[0]) with the least slope that keeps every other point at or below it. */
    static MemoryLine upperLine(List<Integer> batches, long[] peaks) {
        long slope = 0;
        for (int i = 1; i < peaks.length; i++) {
            slope = Math.max(slope, Math.ceilDiv(peaks[i] - peaks[0], (long) batches.get(i) - batches.getFirst()));
        }
        long fixed = 0;
        for (int i = 0; i < peaks.length; i++) fixed = Math.max(fixed, peaks[i] - slope * batches.get(i));
        return new MemoryLine(fixed, slope);
    }

    /** Four times where the predicted activations reach the predicted fixed bytes, within the settings' bounds. */
    int secondBatch(MemoryLine predicted) {
        long most = Math.max(settings.largeBatch(), settings.predictionBatch() / 2);
        long where = predicted.bytesPerSample() == 0 ? most
                : 4 * Math.ceilDiv(predicted.fixedBytes(), predicted.bytesPerSample());
        return (int) Math.clamp(where, settings.largeBatch(), most);
    }

    private StepFigures unitStep(HeadedNetwork net, int k, int batch, int timedSteps, Set<String> notes,
                                 boolean[] measuredAll, String[] method) {
        UnitStep step = UnitStep.compile(net, k, batch, !net.isLast(k), settings.optimizer());
        return run(step, net.model().classes(), batch, timedSteps, notes, measuredAll, method);
    }

    private BackpropFigures backprop(HeadedNetwork net, Set<String> notes, boolean[] measuredAll, String[] method) {
        MemoryLine predicted = predictedLine(b -> UnitStep.compileWhole(net, b, settings.optimizer()));
        int second = secondBatch(predicted);
        StepFigures small = run(UnitStep.compileWhole(net, settings.smallBatch(), settings.optimizer()),
                net.model().classes(), settings.smallBatch(), settings.timedSteps(), notes, measuredAll, method);
        StepFigures large = run(UnitStep.compileWhole(net, second, settings.optimizer()),
                net.model().classes(), second, settings.timedSteps(), notes, measuredAll, method);
        return new BackpropFigures(net.inputParameters(), predicted,
                small.measured == null || large.measured == null ? null
                        : MemoryLine.fit(small.batch, small.measured, large.batch, large.measured),
                StepTime.fromTwoSteps(small.batch, small.stepSeconds, large.batch, large.stepSeconds));
    }

    /**
     * Opens the step's session, runs a warm-up and the timed steps inside the meter, and reads the meter's level
     * after them, before the session closes.
     */
    private StepFigures run(UnitStep step, int classes, int batch, int timedSteps, Set<String> notes,
                            boolean[] measuredAll, String[] method) {
        long[] input = step.compiled().graph().shapeOf(step.input());
        RandomBatches data = new RandomBatches(java.util.Arrays.copyOfRange(input, 1, input.length), classes, batch,
                settings.seed());
        float[] images = data.images();
        long[] labels = data.labelsAsLongs();
        double[] seconds = new double[1];
        long[] heldLevel = {-1};
        System.gc(); // the direct buffers of the measurement before go now, not while this one runs
        long levelBefore = meter.levelBytes();
        PeakMeasurement m = meter.measure(() -> {
            try (BlockRunner runner = new BlockRunner(List.of(step), settings.runtime())) {
                runner.run(images, labels, 0, 0);
                long start = System.nanoTime();
                for (int i = 0; i < timedSteps; i++) runner.run(images, labels, 0, 0);
                seconds[0] = (System.nanoTime() - start) / 1e9 / timedSteps;
                heldLevel[0] = meter.levelBytes();
            }
        });
        Long measured = null;
        if (m.available()) {
            measured = m.bytes();
            notes.addAll(m.notes());
            method[0] = m.method();
        } else {
            measuredAll[0] = false;
            method[0] = m.method();
        }
        long held = levelBefore < 0 || heldLevel[0] < 0 ? -1 : Math.max(0, heldLevel[0] - levelBefore);
        return new StepFigures(batch, measured, held, seconds[0]);
    }

    /** Seconds per inference batch of unit k and its exit (the caching pass), after one warm-up batch. */
    private double cacheSeconds(HeadedNetwork net, int k, int batch) {
        RandomBatches data = new RandomBatches(net.sampleShape(net.unit(k).inputName()), net.model().classes(),
                batch, settings.seed());
        try (BlockInference inference = new BlockInference(net, k, k, settings.runtime())) {
            inference.pass(data, batch, null);
            long start = System.nanoTime();
            for (int i = 0; i < settings.timedSteps(); i++) inference.pass(data, batch, null);
            return (System.nanoTime() - start) / 1e9 / settings.timedSteps();
        }
    }
}

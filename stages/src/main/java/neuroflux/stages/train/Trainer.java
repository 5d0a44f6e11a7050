package neuroflux.stages.train;

import java.util.function.Consumer;
import neuroflux.stages.data.Augmentation;
import neuroflux.stages.data.Batch;
import neuroflux.stages.data.BatchLoader;
import neuroflux.stages.data.Dataset;

/**
 * The training loop: epochs of shuffled full batches (the last partial batch is dropped, as PyTorch's reference
 * does), the schedule's learning rate and momentum fed to every step, and one progress report per epoch. A loss
 * that is not finite stops training with a {@link TrainingDivergedException}.
 */
public final class Trainer {
    /** What an epoch did: mean loss and accuracy on the training batches, throughput and time so far. */
    public record EpochReport(int epoch, int epochs, double meanLoss, double trainAccuracy, long samples,
                              double samplesPerSecond, double elapsedSeconds) {
        public String line() {
            return String.format(java.util.Locale.ROOT,
                    "epoch %d/%d: loss %.4f, train accuracy %.4f, %.1f samples/s, %.1f s", epoch + 1, epochs,
                    meanLoss, trainAccuracy, samplesPerSecond, elapsedSeconds);
        }
    }

    /**
     * The totals of a run: samples trained, the time spent inside training steps, and the wall time of the whole
     * loop (batches prepared included, as PyTorch's reference measures it).
     */
    public record Totals(long samples, double stepSeconds, double wallSeconds) {
        /** Throughput over the loop's wall time, the reference's train_samples_per_s. */
        public double samplesPerSecond() {
            return wallSeconds > 0 ? samples / wallSeconds : 0;
        }
    }

    private final StepRunner runner;
    private final LearningRateSchedule schedule;
    private final double baseMomentum;

    public Trainer(StepRunner runner, LearningRateSchedule schedule, double baseMomentum) {
        this.runner = runner;
        this.schedule = schedule;
        this.baseMomentum = baseMomentum;
    }

    /** The number of steps {@code epochs} epochs take over a data set (for schedules). */
    public static long steps(Dataset data, int batchSize, int epochs) {
        return (long) (data.size() / batchSize) * epochs;
    }

    public Totals train(Dataset data, int epochs, long seed, Augmentation augmentation,
                        Consumer<EpochReport> progress) {
        BatchLoader loader = BatchLoader.training(data, runner.batchSize(), seed, augmentation);
        long start = System.nanoTime();
        long stepNanos = 0;
        long samples = 0;
        for (int e = 0; e < epochs; e++) {
            long epochStart = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            long epochStepNanos = 0;
            for (Batch b : loader.epoch(e)) {
                long step = runner.stepsRun();
                long t0 = System.nanoTime();
                StepRunner.Outcome o = runner.run(b.images(), b.labels(), schedule.lr(step),
                        schedule.momentum(step, baseMomentum));
                epochStepNanos += System.nanoTime() - t0;
                if (!Double.isFinite(o.totalLoss())) {
                    throw new TrainingDivergedException("training diverged: the loss became " + o.totalLoss()
                            + " at step " + (step + 1) + " (epoch " + (e + 1) + ", learning rate "
                            + schedule.lr(step) + "); lower the learning rate");
                }
                lossSum += o.totalLoss() * b.size();
                correct += o.corrects().length > 0 ? o.corrects()[o.corrects().length - 1] : 0;
                seen += b.size();
            }
            stepNanos += epochStepNanos;
            samples += seen;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            progress.accept(new EpochReport(e, epochs, lossSum / Math.max(1, seen), (double) correct / Math.max(1,
                    seen), seen, seen / Math.max(1e-9, epochSeconds), elapsed));
        }
        return new Totals(samples, stepNanos / 1e9, (System.nanoTime() - start) / 1e9);
    }
}

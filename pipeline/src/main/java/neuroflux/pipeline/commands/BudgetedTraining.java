package neuroflux.pipeline.commands;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import neuroflux.onnx.BadInputException;
import neuroflux.pipeline.CompressPipeline;
import neuroflux.pipeline.baselines.BaselineReport;
import neuroflux.pipeline.baselines.BaselineTrainer;
import neuroflux.pipeline.baselines.NeurofluxRun;
import neuroflux.pipeline.checkpoint.CheckpointStore;
import neuroflux.pipeline.checkpoint.RunFolder;
import neuroflux.stages.memory.Budget;
import org.apache.commons.cli.CommandLine;

/**
 * {@code train --method bp|ll|neuroflux --budget SIZE}: a method trained under a memory budget with compress's
 * settings (data, split, seed, optimizer, schedule, epochs, augmentation), writing model.onnx and a report.json
 * with compress's fields, so that the methods can be compared side by side. Every method keeps a checkpoint after
 * each epoch and every {@code --checkpoint-minutes} within one (neuroflux: compress's, after each block), so a
 * stopped run continues where it was: the same command into the same
 * {@code --out}, or {@code --resume DIR}; {@code --overwrite} starts it again.
 */
final class BudgetedTraining {
    static final List<String> METHODS = List.of("bp", "bp-checkpoint", "ll", "neuroflux");

    private BudgetedTraining() {}

    static int run(String method, CommandLine line, PrintStream out, PrintStream err) throws Exception {
        CompressPipeline.Settings s = CompressCommand.settings(line);
        if (line.hasOption("overwrite")) RunFolder.clearForNewRun(s.out());
        List<String> arguments = CompressCommand.arguments(line);
        if (method.equals("neuroflux")) {
            if (line.hasOption("checkpoint-minutes")) {
                throw new BadInputException("--checkpoint-minutes is for bp, bp-checkpoint and ll: neuroflux keeps a"
                        + " checkpoint after each block");
            }
            NeurofluxRun.run(s, arguments, out, err);
            new CheckpointStore(s.out()).delete(); // the run is complete: nothing is left to resume
            return 0;
        }
        int fixedBatch = line.hasOption("batch-size") ? TrainCommand.positive(line, "batch-size", 1) : 0;
        double checkpointMinutes = TrainCommand.number(line, "checkpoint-minutes",
                BaselineTrainer.DEFAULT_CHECKPOINT_MINUTES, 0, true);
        BaselineTrainer.Result r = new BaselineTrainer(method, s, fixedBatch, err).withArguments(arguments)
                .withCheckpointEvery(checkpointMinutes).run();
        BaselineReport.write(r, s, s.out());
        new CheckpointStore(s.out()).delete(); // the run is complete: nothing is left to resume
        out.printf(Locale.ROOT, "%s: batch %d, exit after %s (%,d parameters), written model's test accuracy %.2f%%,"
                + " measured peak %s of a %s budget, wall time %.1f s%n", method, r.batch().batch(),
                r.selectedExit().unitName(), r.selectedExit().params(), 100 * r.testAccuracy(),
                r.trainPeak().available() ? Budget.format(r.trainPeak().bytes()) : "not measured",
                Budget.format(s.budget().bytes()), r.wallSeconds());
        return 0;
    }
}

package neuroflux.stages.data;

/** The three sets a run uses: training, a validation split carved from training by a fixed seed, and test. */
public record DataSplits(String name, Dataset train, Dataset validation, Dataset test) {}

package neuroflux.stages.importer;

/**
 * A damaged model file for the fuzzer, with the kind of damage (for the tally) and exactly what was done to it, so
 * that a failure can be understood.
 */
record Mutant(String kind, String description, byte[] bytes) {}

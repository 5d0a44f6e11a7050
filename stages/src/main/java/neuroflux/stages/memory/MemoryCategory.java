package neuroflux.stages.memory;

/**
 * What a buffer of a training step holds. The first five are usually what the step holds from start to end (the
 * caller's inputs and the session's initializers), the last four what its nodes write while it runs; where a value
 * lives is decided by where it comes from, not by its category.
 */
public enum MemoryCategory {
    PARAMETERS("parameters"),
    OPTIMIZER_STATE("optimizer state"),
    RUNNING_STATISTICS("running statistics"),
    INPUTS("input batch and labels"),
    CONSTANTS("constants"),
    /** New values of parameters, optimizer state and statistics that the step returns ({@code p.next}). */
    UPDATES("updated state"),
    GRADIENTS("gradients"),
    /** Forward intermediates: computed from the input batch without reading any gradient. */
    ACTIVATIONS("activations"),
    /** Everything else a node writes: backward intermediates that are not gradients, optimizer arithmetic. */
    TEMPORARIES("temporaries");

    public final String label;

    MemoryCategory(String label) {
        this.label = label;
    }
}

package neuroflux.stages.memory;

/**
 * The JVM's just-in-time compilers as far as they matter to a host memory measurement. HotSpot's optimising compiler
 * (C2) builds each compilation in native arenas of up to tens of MiB, freed when it ends; a compilation that runs
 * while a block is measured lands in the block's high-water mark. Which compilations coincide with a measurement
 * depends on timing, so it made vgg11's backprop figure at batch 0 vary between 140 and 164 MiB over four profiles;
 * with only the quick compiler (C1, {@code -XX:TieredStopAtLevel=1}) three profiles read 145.0 to 146.4 MiB. The
 * Java side of training is a data loop around ONNX Runtime, so C1's code costs it nothing measurable.
 */
public final class JitCompiler {
    private JitCompiler() {}

    /** Whether C2 can compile in this JVM: tiered compilation up to level 4, or C2 alone. */
    public static boolean optimisingCompilerActive() {
        java.util.Optional<String> tiered = VmOptions.value("TieredCompilation");
        if (tiered.isEmpty()) return false; // another JVM: nothing known about its compilers
        if (!Boolean.parseBoolean(tiered.get())) return true;
        return VmOptions.value("TieredStopAtLevel").map(Integer::parseInt).orElse(0) >= 4;
    }

    /** Advice for a user where C2 runs, or empty. */
    public static String advice() {
        if (!optimisingCompilerActive()) return "";
        return "the JVM's optimising compiler (C2) is on: a compilation running during the work adds its transient"
                + " memory (up to tens of MiB) to the figure; run Java with -XX:TieredStopAtLevel=1";
    }
}

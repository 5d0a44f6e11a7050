package neuroflux.stages.memory;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/** HotSpot's options of the running JVM, read where the memory figures depend on them; empty on other JVMs. */
final class VmOptions {
    private VmOptions() {}

    static Optional<String> value(String name) {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot == null ? Optional.empty() : Optional.of(hotspot.getVMOption(name).getValue());
        } catch (IllegalArgumentException notHotSpot) {
            return Optional.empty();
        }
    }
}

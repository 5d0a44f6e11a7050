package neuroflux.pipeline.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where option values come from when the command line lacks them: the key {@code neuroflux.<long-option-name>}
 * (and {@code neuroflux.model} for a command's positional arguments). Under Quarkus this is MicroProfile Config
 * (application.properties, system properties, environment variables); without it, the process environment.
 */
@FunctionalInterface
public interface Configuration {
    String PREFIX = "neuroflux.";

    /** The value configured for a key such as {@code neuroflux.budget}; an empty value counts as absent. */
    Optional<String> value(String key);

    /**
     * The environment variable that carries a key, in Quarkus's (SmallRye Config's) naming: every character that
     * is not a letter or digit becomes '_', letters become upper case; {@code neuroflux.cache-dtype} is
     * {@code NEUROFLUX_CACHE_DTYPE}.
     */
    static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** How a key is named to a user in messages: both its property and its environment form. */
    static String describe(String key) {
        return key + " / " + environmentName(key);
    }

    static Configuration none() {
        return key -> Optional.empty();
    }

    /**
     * Values keyed by property name ({@code neuroflux.budget}) or by environment name ({@code NEUROFLUX_BUDGET}),
     * the property name first: the process environment when neuroflux runs without Quarkus, or a test's map.
     */
    static Configuration of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return key -> Optional.ofNullable(copy.get(key))
                .or(() -> Optional.ofNullable(copy.get(environmentName(key))))
                .filter(v -> !v.isEmpty());
    }

    /** The process environment, read the way Quarkus would read it. */
    static Configuration environment() {
        return of(System.getenv());
    }
}

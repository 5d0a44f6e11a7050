package neuroflux.stages.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where the files of a published data set are looked for, in order: the data dir a user gave, the folder named by
 * the environment variable {@code NEUROFLUX_DATA}, then the system's data set folder ({@code /usr/share/datasets},
 * where Debian's dataset packages install). Each place is tried as is, then with the data set's folder name below
 * it, and each of those also with the subfolders the data set's archive unpacks to.
 */
record SearchPlaces(Path dataDir, String environment, Path systemRoot) {
    static final String ENVIRONMENT_VARIABLE = "NEUROFLUX_DATA";
    static final Path SYSTEM_ROOT = Path.of("/usr/share/datasets");

    static SearchPlaces of(DataOptions options) {
        return new SearchPlaces(options.dataDir(), System.getenv(ENVIRONMENT_VARIABLE), SYSTEM_ROOT);
    }

    /** Every folder to try for data set {@code folderName}, in order, without repeats. */
    List<Path> folders(String folderName, String... subfolders) {
        List<Path> roots = new ArrayList<>();
        if (dataDir != null) {
            roots.add(dataDir);
            roots.add(dataDir.resolve(folderName));
        }
        if (environment != null && !environment.isBlank()) {
            Path env = Path.of(environment);
            roots.add(env);
            roots.add(env.resolve(folderName));
        }
        roots.add(systemRoot.resolve(folderName));
        LinkedHashSet<Path> folders = new LinkedHashSet<>();
        for (Path root : roots) {
            folders.add(root);
            for (String sub : subfolders) folders.add(root.resolve(sub));
        }
        return List.copyOf(folders);
    }

    /** The first of {@code folders} that is a folder and passes {@code holdsData}. */
    static Optional<Path> first(List<Path> folders, Predicate<Path> holdsData) {
        return folders.stream().filter(Files::isDirectory).filter(holdsData).findFirst();
    }

    /** The places as a message lists them. */
    static String list(List<Path> folders) {
        return String.join(", ", folders.stream().map(Path::toString).toList());
    }
}

package neuroflux.stages.importer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import neuroflux.onnx.BadInputException;
import neuroflux.onnx.Graph;
import neuroflux.onnx.runtime.OrtSession;
import neuroflux.onnx.runtime.RuntimeOptions;
import neuroflux.onnx.proto.Onnx.ModelProto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds thousands of damaged versions of the fixtures to the importer. Each must be imported (and then work at
 * batch 2) or rejected with a {@link BadInputException} whose message is one line, within a time bound; any other
 * throwable, or a hang, is a bug of the importer or of onnx-io, to be fixed there.
 *
 * <p>Every case is drawn from its own random generator seeded by the seed and the case number, so one case can be
 * rerun alone: {@code -Dneuroflux.fuzz.seed=S -Dneuroflux.fuzz.case=N}. {@code -Dneuroflux.fuzz.cases=N} runs
 * more (or fewer) cases; {@code -Dneuroflux.fuzz.timeoutMs} changes the bound per case. With
 * {@code -Dneuroflux.fuzz.ort=true} every accepted model is also opened in ONNX Runtime as {@code neuroflux run}
 * opens it, which may only refuse it with a {@link BadInputException} (slower, so not done in CI).
 */
class ImporterFuzzTest {
    private static final long SEED = Long.getLong("neuroflux.fuzz.seed", 20_251_125L);
    private static final int CASES = Integer.getInteger("neuroflux.fuzz.cases", 2500);
    private static final int ONLY_CASE = Integer.getInteger("neuroflux.fuzz.case", -1);
    private static final long TIMEOUT_MS = Long.getLong("neuroflux.fuzz.timeoutMs", 2000);
    private static final boolean ORT = Boolean.getBoolean("neuroflux.fuzz.ort");
    /** Stop collecting after this many failures: the first few distinct ones are what a user needs to see. */
    private static final int MAX_FAILURES = 25;

    @TempDir
    Path tmp;

    private ExecutorService worker;

    @BeforeEach
    void startWorker() {
        worker = newWorker();
    }

    @AfterEach
    void stopWorker() {
        worker.shutdownNow();
    }

    /** Imported and usable, rejected by the importer, or imported but refused by ONNX Runtime (with the guard). */
    private enum Outcome { ACCEPTED, REJECTED, REFUSED_BY_ORT }

    @Test
    void damagedModelsAreImportedOrRejectedCleanly() throws Exception {
        Corpus corpus = Corpus.load();
        Path file = Files.createDirectories(tmp.resolve("model")).resolve("model.onnx");
        // the first import loads classes and warms the JIT; it must not count against a case's time bound
        Files.write(file, corpus.bytes(0));
        ModelImporter.load(file).atBatch(2);

        Tally tally = new Tally();
        int from = ONLY_CASE >= 0 ? ONLY_CASE : 0;
        int to = ONLY_CASE >= 0 ? ONLY_CASE + 1 : CASES;
        long start = System.nanoTime();
        for (int c = from; c < to && tally.failed < MAX_FAILURES; c++) {
            Mutant mutant = corpus.mutant(new Random(SEED * 1_000_003L + c));
            Files.write(file, mutant.bytes());
            try {
                tally.add(mutant, importWithin(file, bound(mutant)));
            } catch (Throwable t) {
                tally.fail(c, mutant, t);
            }
        }
        System.out.printf("importer fuzz: seed %d, %d cases in %.1f s: %s, %d failed%n", SEED, to - from,
                (System.nanoTime() - start) / 1e9, tally.outcomes, tally.failed);
        tally.byKind.forEach((k, v) -> System.out.printf("  %-40s accepted %5d  rejected %5d%s%n", k, v[0], v[1],
                ORT ? "  refused by ONNX Runtime " + v[2] : ""));
        if (tally.failed > 0) fail(tally.failureReport());
        if (ONLY_CASE < 0 && CASES >= 500) {
            // a fuzzer whose mutants are all rejected (or all accepted) tests nothing past the first check
            assertTrue(tally.outcomes.getOrDefault(Outcome.ACCEPTED, 0) > CASES / 50, "too few mutants accepted");
            assertTrue(tally.outcomes.getOrDefault(Outcome.REJECTED, 0) > CASES / 2, "too few mutants rejected");
        }
    }

    /** Outcomes per kind of mutation, and failures grouped by where they happened, each with its first cases. */
    private static final class Tally {
        final Map<Outcome, Integer> outcomes = new TreeMap<>();
        final Map<String, int[]> byKind = new TreeMap<>();
        final Map<String, List<String>> failures = new LinkedHashMap<>();
        int failed;

        void add(Mutant mutant, Outcome o) {
            outcomes.merge(o, 1, Integer::sum);
            byKind.computeIfAbsent(mutant.kind(), k -> new int[Outcome.values().length])[o.ordinal()]++;
        }

        void fail(int c, Mutant mutant, Throwable t) {
            failed++;
            String where = signature(t);
            boolean first = !failures.containsKey(where);
            failures.computeIfAbsent(where, k -> new ArrayList<>()).add("case " + c + ": " + mutant.description()
                    + "\n      " + firstLine(t) + (first ? "\n" + stackTrace(t) : ""));
        }

        String failureReport() {
            StringBuilder b = new StringBuilder("importer fuzz, seed " + SEED + ": " + failed
                    + " case(s) crashed or hung; rerun one with -Dneuroflux.fuzz.seed=" + SEED
                    + " -Dneuroflux.fuzz.case=N\n");
            failures.forEach((where, cases) -> {
                b.append("- ").append(cases.size()).append("x ").append(where).append('\n');
                cases.stream().limit(3).forEach(s -> b.append("    ").append(s).append('\n'));
            });
            return b.toString();
        }
    }

    /**
     * The time a case may take. Graphs of 20,000 nodes (the rare "huge repetition" mutants) take a few hundred
     * milliseconds once the JIT has compiled the passes they exercise, but seconds on a cold path of a busy
     * machine; they get five times the bound, which a quadratic pass still exceeds by far.
     */
    private static long bound(Mutant mutant) {
        return mutant.kind().contains("huge repetition") ? 5 * TIMEOUT_MS : TIMEOUT_MS;
    }

    /** Imports the file on the worker thread; a case that outlives the bound is a hang. */
    private Outcome importWithin(Path file, long boundMs) throws Throwable {
        Future<Outcome> f = worker.submit(() -> importOnce(file));
        try {
            return f.get(boundMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            // the stuck thread may not stop; later cases get a fresh one
            worker.shutdownNow();
            worker = newWorker();
            throw new AssertionError("no answer within " + boundMs + " ms (a hang, or work far too slow)");
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private static Outcome importOnce(Path file) {
        Graph atTwo;
        try {
            ImportedModel m = ModelImporter.load(file);
            if (m.classes() < 2) throw new AssertionError("imported a model with " + m.classes() + " classes");
            atTwo = m.atBatch(2);
        } catch (BadInputException e) {
            checkOneLine(e);
            return Outcome.REJECTED;
        }
        if (!ORT) return Outcome.ACCEPTED;
        try {
            OrtSession.openUserModel(atTwo, RuntimeOptions.cpu(1), file.toString()).close();
            return Outcome.ACCEPTED;
        } catch (BadInputException e) {
            checkOneLine(e);
            return Outcome.REFUSED_BY_ORT;
        }
    }

    private static void checkOneLine(BadInputException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank() || message.contains("\n") || message.contains("\r")) {
            throw new AssertionError("a rejection must be one non-empty line, not: " + message, e);
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "importer-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    /** What identifies a bug: the throwable's class and the first neuroflux frame it passed through. */
    private static String signature(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("neuroflux.") && !e.getClassName().contains("FuzzTest")) {
                return t.getClass().getSimpleName() + " at " + e;
            }
        }
        return t.getClass().getSimpleName() + ": " + firstLine(t);
    }

    private static String firstLine(Throwable t) {
        String s = String.valueOf(t);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString().lines().limit(12).map(l -> "      " + l).reduce("", (a, b) -> a + b + "\n");
    }

    /** The fixtures as bytes and as parsed models; the smallest one (resnet8-cifar) is most cases' starting point. */
    private record Corpus(List<byte[]> files, List<ModelProto> models) {
        static final List<String> ORDER = List.of("resnet8-cifar", "mobilenetv2-w025-cifar", "vgg-small-fmnist");

        static Corpus load() throws IOException {
            List<byte[]> files = new ArrayList<>();
            List<ModelProto> models = new ArrayList<>();
            for (String name : ORDER) {
                byte[] b = Files.readAllBytes(Fixtures.dir(name).resolve("model.onnx"));
                files.add(b);
                models.add(ModelProto.parseFrom(b));
            }
            return new Corpus(files, models);
        }

        byte[] bytes(int i) {
            return files.get(i);
        }

        /** Mostly resnet8; a tenth of the cases start from MobileNetV2 (Constant nodes, groups), a few from VGG. */
        Mutant mutant(Random r) {
            int x = r.nextInt(100);
            int i = x < 86 ? 0 : x < 96 ? 1 : 2;
            if (r.nextInt(5) < 2) {
                Mutant m = ByteMutations.mutate(files.get(i), files.get((i + 1 + r.nextInt(2)) % 3), r);
                return new Mutant(m.kind(), ORDER.get(i) + ", " + m.description(), m.bytes());
            }
            Mutant m = ModelMutations.mutate(models.get(i), r);
            return new Mutant(m.kind(), ORDER.get(i) + ", " + m.description(), m.bytes());
        }
    }
}

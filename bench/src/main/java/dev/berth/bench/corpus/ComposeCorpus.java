package dev.berth.bench.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The corpus figure of issue 19 (scripts/compose-corpus.sh runs it; -Pbench only, never in mvn verify):
 * {@code ComposeCorpus CORPUS_DIR FILTER_TSV OUT_FILE}. FILTER_TSV holds one line per corpus folder,
 * {@code folder<TAB>accepted|refused<TAB>first line of the filter's complaint}; only accepted folders are imported.
 * Each import runs on its own thread with a time box: a hung import is counted and left behind (a daemon thread)
 * so one bad file cannot stop the figure.
 */
public final class ComposeCorpus {
    /**
     * Every variable the files read is unset unless their .env sets it, for the filter and the importer alike;
     * HOME only, as the filter's docker-compose runs with HOME=/tmp (~ in a bind mount needs it).
     */
    static final Map<String, String> ENVIRONMENT = Map.of("HOME", "/tmp");
    /** Generous: two shared cores, and a slow import is a finding of its own only when it is far off. */
    private static final long TIME_BOX_SECONDS = 30;

    private ComposeCorpus() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ComposeCorpus CORPUS_DIR FILTER_TSV OUT_FILE FILTER_RULE");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]);
        Map<String, String[]> filter = readFilter(Path.of(args[1]));
        List<CorpusEntry> entries = CorpusEntry.all(corpus);
        Map<String, String> refusedByFilter = new LinkedHashMap<>();
        entries.stream().filter(e -> filter.containsKey(e.name()) && !filter.get(e.name())[0].startsWith("accepted"))
                .forEach(e -> refusedByFilter.put(e.name(), filter.get(e.name())[1]));
        CorpusReport report = new CorpusReport(entries.size(), refusedByFilter);
        CorpusImport importer = new CorpusImport(ENVIRONMENT, new SilentChangeAudit());
        // The first import loads the YAML, schema and JSON classes; without this the first file's time box pays it.
        importer.warmUp();
        ExecutorService pool = newPool();
        for (CorpusEntry entry : entries) {
            String[] verdict = filter.get(entry.name());
            if (verdict == null || !verdict[0].startsWith("accepted")) {
                continue;
            }
            Future<Outcome> future = pool.submit(() -> importer.run(entry));
            Outcome outcome;
            try {
                outcome = future.get(TIME_BOX_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                future.cancel(true);
                pool.shutdownNow();
                pool = newPool();
                outcome = Outcome.of(Outcome.Kind.HANG, "no answer within " + TIME_BOX_SECONDS + " s");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                outcome = Outcome.of(Outcome.Kind.CRASH, cause.getClass().getSimpleName() + ": " + firstLine(cause));
            }
            report.add(entry.name(), outcome);
        }
        pool.shutdownNow();
        String text = report.render(args[3]);
        Files.createDirectories(Path.of(args[2]).toAbsolutePath().getParent());
        Files.writeString(Path.of(args[2]), text, StandardCharsets.UTF_8);
        System.out.print(text.substring(0, text.indexOf("\nPer file:")));
        System.out.println("\n(per-file lines in " + args[2] + ")");
        System.exit(0);
    }

    private static ExecutorService newPool() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "corpus-import");
            t.setDaemon(true);
            return t;
        });
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        StackTraceElement[] trace = t.getStackTrace();
        String at = trace.length > 0 ? " at " + trace[0].getClassName().replaceAll(".*\\.", "") + "." + trace[0].getMethodName() : "";
        return (m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m) + at;
    }

    private static Map<String, String[]> readFilter(Path tsv) throws IOException {
        Map<String, String[]> verdicts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            String[] cols = line.split("\t", 3);
            if (cols.length >= 2) {
                verdicts.put(cols[0], new String[] {cols[1], cols.length > 2 ? cols[2] : ""});
            }
        }
        return verdicts;
    }
}

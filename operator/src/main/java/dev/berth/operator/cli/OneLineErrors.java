package dev.berth.operator.cli;

import dev.berth.operator.store.StoreException;
import picocli.CommandLine;

/** Expected failures (etcd down, unreadable file) print one line and exit 1; anything else keeps its trace. */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof StoreException || e instanceof CliException || e instanceof dev.berth.operator.manifests.ManifestFileException) {
            cli.getErr().println("error: " + e.getMessage());
            cli.getErr().flush();
            return 1;
        }
        throw e;
    }
}

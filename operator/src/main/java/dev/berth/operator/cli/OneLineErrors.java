package dev.berth.operator.cli;

import dev.berth.operator.store.StoreException;
import picocli.CommandLine;

/** Expected failures (etcd down, unreadable file) print one line and exit 1 (or the command's exitCodeOnExecutionException); anything else keeps its trace. */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof StoreException || e instanceof CliException || e instanceof dev.berth.operator.manifests.ManifestFileException) {
            cli.getErr().println("error: " + e.getMessage());
            cli.getErr().flush();
            // 1 for most commands; diff says 2 (its 1 means "there are changes", as kubectl's does)
            return cli.getCommandSpec().exitCodeOnExecutionException();
        }
        throw e;
    }
}

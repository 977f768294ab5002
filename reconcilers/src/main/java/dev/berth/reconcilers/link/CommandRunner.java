package dev.berth.reconcilers.link;

import java.time.Duration;
import java.util.List;

/** Runs one external command; a seam so the parsing and error mapping can be tested without a kernel. */
interface CommandRunner {
    /**
     * @param stdin written to the command and then closed; empty for none
     * @throws LinkDriverException when the command cannot start or does not finish within {@code timeout}
     */
    CommandResult run(List<String> argv, String stdin, Duration timeout);

    record CommandResult(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }
}

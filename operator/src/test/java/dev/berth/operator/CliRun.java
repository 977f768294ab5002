package dev.berth.operator;

import dev.berth.operator.cli.BerthMain;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Runs a berth command in-process, as a person would type it, capturing exit code and output. */
public record CliRun(int exit, String out, String err) {
    /** With the etcd options appended (not to {@code validate}, which reads no etcd). */
    public static CliRun of(String etcdEndpoints, String prefix, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (etcdEndpoints != null && args.length > 0 && !args[0].equals("validate")) {
            all.add("--etcd-endpoints=" + etcdEndpoints);
            all.add("--prefix=" + prefix);
        }
        return raw(all.toArray(String[]::new));
    }

    public static CliRun raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BerthMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}

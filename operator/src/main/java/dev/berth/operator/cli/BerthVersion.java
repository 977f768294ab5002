package dev.berth.operator.cli;

import picocli.CommandLine;

/** The version from the jar's manifest (set by Maven), or "dev" when run from classes. */
public final class BerthVersion implements CommandLine.IVersionProvider {
    public static String current() {
        String v = BerthVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"berth " + current()};
    }
}

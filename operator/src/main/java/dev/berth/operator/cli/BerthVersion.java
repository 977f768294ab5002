package dev.berth.operator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Optional;
import java.util.jar.Manifest;
import picocli.CommandLine;

/** The version from the jar's manifest (set by Maven), or "dev" when run from classes; the git commit when built with one. */
public final class BerthVersion implements CommandLine.IVersionProvider {
    public static String current() {
        String v = BerthVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The Berth-Git-Commit of this class's own jar manifest; empty from classes or when the build did not know it. */
    public static Optional<String> commit() {
        URL self = BerthVersion.class.getResource("BerthVersion.class");
        if (self == null || !"jar".equals(self.getProtocol())) {
            return Optional.empty();
        }
        String jar = self.toString().substring(0, self.toString().indexOf("!/") + 2);
        try (InputStream in = new URL(jar + "META-INF/MANIFEST.MF").openStream()) {
            String commit = new Manifest(in).getMainAttributes().getValue("Berth-Git-Commit");
            return commit == null || commit.isBlank() || commit.equals("unknown") ? Optional.empty() : Optional.of(commit);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"berth " + current()};
    }
}

package dev.berth.operator.cli;

import java.util.Map;
import java.util.Optional;

/** The table of each kind the command line knows, by kind name ("Stack"). */
final class KindTables {
    private final Map<String, KindTable> tables;

    private KindTables(Map<String, KindTable> tables) {
        this.tables = Map.copyOf(tables);
    }

    static KindTables standard() {
        return new KindTables(Map.of(
                "Stack", new StackTable(),
                "Network", new NetworkTable(),
                "GitSource", new GitSourceTable(),
                "Route", new RouteTable(),
                "Secret", new DataTables.SecretTable(),
                "Config", new DataTables.ConfigTable()));
    }

    Optional<KindTable> forKind(String kind) {
        return Optional.ofNullable(tables.get(kind));
    }
}

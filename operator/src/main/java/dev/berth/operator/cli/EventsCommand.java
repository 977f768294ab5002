package dev.berth.operator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.operator.events.Event;
import dev.berth.operator.events.EventReader;
import io.etcd.jetcd.Watch;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"List events (like kubectl get events): what the operators did to objects and what went wrong,"
                + " oldest first. Repeats of the same event within 10 minutes are one row with a COUNT.",
                "Events are kept in etcd for about an hour after they last happened.",
                "Reasons: Scheduled, Failover, Pulled, Built, Created, Started, Killed, Unhealthy, RolloutStarted,"
                        + " RolloutSucceeded, RolloutFailed; Warnings such as InvalidSpec, ImagePullFailed,"
                        + " ImageNotFound."})
public final class EventsCommand implements Callable<Integer> {
    enum Output { table, json }

    /** Configured once here and never changed: safe to share. */
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KIND/NAME",
            description = "Only this object's events (stack/web, or stack web). Default: every object's.")
    String object;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", hidden = true)
    String objectName;

    @Option(names = {"-w", "--watch"}, description = "After the list, print new events as they happen, until stopped.")
    boolean watch;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default ${DEFAULT-VALUE}; json with -w: one event per line).")
    Output output;

    @Option(names = "--no-headers", description = "Leave out the header line of the table.")
    boolean noHeaders;

    @Override
    public Integer call() {
        String[] target = target();
        PrintWriter out = spec.commandLine().getOut();
        try (StoreSession session = watch ? new StoreSession(etcd, Kinds.standard())
                : StoreSession.reading(etcd, Kinds.standard())) {
            EventReader reader = new EventReader(session.kv(), session.store().keys());
            EventReader.Listing listing = reader.list(target[0], target[1]);
            List<Event> events = listing.events().stream().map(EventReader.Listed::event).toList();
            Instant now = Instant.now();
            EventTable table = new EventTable(!noHeaders, events, now);
            if (output == Output.json && !watch) {
                printList(out, events);
                return 0;
            }
            if (output == Output.table) {
                if (!noHeaders && (watch || !events.isEmpty())) {
                    table.header(out);
                }
                events.forEach(e -> table.print(out, e, now));
                if (events.isEmpty() && !watch) {
                    spec.commandLine().getErr().println("No events found.");
                    spec.commandLine().getErr().flush();
                }
            } else {
                events.forEach(e -> printOne(out, e));
            }
            out.flush();
            if (watch) {
                follow(reader, target, listing.revision(), table, out);
            }
        }
        return 0;
    }

    /** Prints every event put after {@code revision} until interrupted or the watch fails. */
    private void follow(EventReader reader, String[] target, long revision, EventTable table, PrintWriter out) {
        BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        Watch.Watcher watcher = reader.watch(target[0], target[1], revision, arrived::add, arrived::add);
        try {
            while (true) {
                Object next;
                try {
                    next = arrived.take();
                } catch (InterruptedException e) {
                    // Stopped (Ctrl-C, or the caller's thread): what was printed stands.
                    Thread.currentThread().interrupt();
                    return;
                }
                if (next instanceof Throwable t) {
                    throw new CliException("watching events failed: " + t.getMessage());
                }
                Event event = ((EventReader.Listed) next).event();
                if (output == Output.json) {
                    printOne(out, event);
                } else {
                    table.print(out, event, Instant.now());
                }
            }
        } finally {
            watcher.close();
        }
    }

    /** The kind (singular) and name asked for, or nulls for every object. */
    private String[] target() {
        if (object == null) {
            return new String[]{null, null};
        }
        String kindText = object;
        String name = objectName;
        int slash = object.indexOf('/');
        if (slash >= 0) {
            if (objectName != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give KIND/NAME or KIND NAME, not both");
            }
            kindText = object.substring(0, slash);
            name = object.substring(slash + 1);
        }
        if (name == null || name.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "name missing: give KIND/NAME, e.g. stack/web");
        }
        KindDef kind = KindArgument.resolve(Kinds.standard(), kindText, spec.commandLine());
        return new String[]{kind.singular(), name};
    }

    private static void printList(PrintWriter out, List<Event> events) {
        ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "List");
        ArrayNode items = list.putArray("items");
        events.forEach(e -> items.add(JSON.valueToTree(e)));
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static void printOne(PrintWriter out, Event event) {
        try {
            out.println(JSON.writeValueAsString(event));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}

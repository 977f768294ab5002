package dev.berth.operator.cli;

import dev.berth.crds.KindDef;
import dev.berth.crds.Kinds;
import dev.berth.operator.images.ImagePin;
import dev.berth.operator.images.ImagePinStore;
import dev.berth.operator.store.StatusCodec;
import dev.berth.operator.store.StoredObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show one object: its declaration in short, per host its conditions and last error, and its events"
                + " (the last hour's, as berth events KIND/NAME lists them).")
public final class DescribeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    EtcdOptions etcd;

    @Parameters(index = "0", paramLabel = "KIND")
    String kindName;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        Kinds kinds = Kinds.standard();
        KindDef kind = KindArgument.resolve(kinds, kindName, spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        ObjectView view;
        java.util.List<String> users;
        Map<String, ImagePin> pins = null;
        java.util.List<dev.berth.operator.events.Event> events = null;
        String eventsUnread = null;
        try (StoreSession session = StoreSession.reading(etcd, kinds)) {
            Optional<StoredObject> object = session.store().get(kind, name);
            if (object.isEmpty()) {
                spec.commandLine().getErr().println(kind.singular() + "/" + name + " not found");
                spec.commandLine().getErr().flush();
                return 1;
            }
            view = ObjectView.load(session.store(), object.get(), new StatusCodec(), ClusterReader.read(session));
            users = DataUsers.applies(kind.kind()) ? DataUsers.find(session.store(), kinds, kind.kind(), name) : null;
            if (kind.kind().equals("Stack")) {
                pins = new ImagePinStore(session.kv(), session.store().keys()).read(name);
            }
            try {
                events = new dev.berth.operator.events.EventReader(session.kv(), session.store().keys())
                        .list(kind.singular(), name).events().stream().map(dev.berth.operator.events.EventReader.Listed::event)
                        .toList();
            } catch (dev.berth.operator.store.StoreException e) {
                // The object was read; its events are extra: say why they are missing and show the rest.
                eventsUnread = e.getMessage();
            }
        }
        StoredObject object = view.object();
        out.println("Name:        " + name);
        out.println("Kind:        " + kind.kind());
        out.println("Key:         " + object.raw().key());
        out.println("Revision:    " + object.raw().modRevision());
        if (!object.valid()) {
            out.println("Valid:       no");
            object.errors().forEach(e -> out.println("  " + e));
        }
        object.resource().ifPresent(r -> {
            printMap(out, "Labels:", r.metadata().labels());
            printMap(out, "Annotations:", r.metadata().annotations());
        });
        KindTables.standard().forKind(kind.kind()).ifPresent(t -> t.describe(view, out));
        if (pins != null) {
            PinnedImages.print(view, pins, out);
        }
        if (users != null) {
            out.println("Used by:" + (users.isEmpty() ? "     (no stack or GitSource names it)" : ""));
            users.forEach(u -> out.println("  " + u));
        }
        if (events != null) {
            EventTable.describe(events, out, java.time.Instant.now());
        } else {
            out.println("Events:      (not read: " + eventsUnread + ")");
        }
        out.flush();
        return 0;
    }

    private static void printMap(PrintWriter out, String title, Map<String, String> map) {
        if (map.isEmpty()) {
            return;
        }
        out.println(title);
        new java.util.TreeMap<>(map).forEach((k, v) -> out.println("  " + k + "=" + v));
    }
}

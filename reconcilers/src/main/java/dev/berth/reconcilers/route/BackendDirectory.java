package dev.berth.reconcilers.route;

import java.util.List;
import java.util.Map;

/** Where each host says which containers of each stack it runs (the operator keeps it in etcd). */
public interface BackendDirectory {
    /** This host's containers of {@code stack}; an empty list withdraws them. */
    void publish(String stack, String host, List<PublishedContainer> containers);

    /** Every host's containers of {@code stack}, by host. */
    Map<String, List<PublishedContainer>> all(String stack);

    /** What this host has published, by stack (read once, then kept in memory by the publisher). */
    Map<String, List<PublishedContainer>> publishedBy(String host);
}

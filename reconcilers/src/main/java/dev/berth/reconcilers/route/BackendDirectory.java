package dev.berth.reconcilers.route;

import java.util.List;
import java.util.Map;

/** Where each host says which containers of each stack it runs (the operator keeps it in etcd). */
public interface BackendDirectory {
    /** This host's containers of {@code stack}; an empty list withdraws them. Writes only when changed. */
    void publish(String stack, String host, List<PublishedContainer> containers);

    /** Every host's containers of {@code stack}, by host. */
    Map<String, List<PublishedContainer>> all(String stack);

    /** The stacks this host has published (to withdraw the ones it no longer runs). */
    List<String> publishedBy(String host);
}

package dev.berth.crds.status;

/** How many containers of a service run on one host, against how many are declared there. */
public record ServiceCount(int running, int desired) {
}

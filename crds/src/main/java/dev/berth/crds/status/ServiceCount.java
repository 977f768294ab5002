package dev.berth.crds.status;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How many containers of a service run on one host, against how many are declared there, and how many replicas of a
 * one-shot service (restart "no" or on-failure) ran to a successful end and are left exited ({@code completed}: they
 * count towards Ready like running ones). Status written before {@code completed} existed reads it as 0.
 */
public record ServiceCount(int running, int desired,
                           @JsonInclude(JsonInclude.Include.NON_DEFAULT) int completed) {
    public ServiceCount(int running, int desired) {
        this(running, desired, 0);
    }
}

package dev.berth.crds;

import java.util.List;

/**
 * A rule across objects of one kind that no single manifest can break on its own (two Networks sharing a VNI).
 * It judges only the objects being applied; what is already stored is taken as given, so a clash that etcd
 * already holds never blocks an unrelated change.
 */
public interface SetCheck {
    /** The kind it compares, as in {@link ObjectKey#kind()}: {@code network}. */
    String kind();

    /**
     * @param applying objects of {@link #kind()} being applied, in the order they were read (files, then documents)
     * @param stored   objects of {@link #kind()} already stored that stay: none of them has a name being applied
     */
    void check(List<Resource> applying, List<Resource> stored, SetCheckContext context);
}

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

    /** Compares one object being applied with another; {@code applied}: the other is applied too (say where it is). */
    @FunctionalInterface
    interface Comparison {
        void compare(Resource object, Resource other, boolean applied, SetCheckContext context);
    }

    /**
     * Runs {@code comparison} for each object being applied against every earlier one being applied and every stored
     * one: a clash between two applied objects is reported once, at the later one.
     */
    static void eachPair(List<Resource> applying, List<Resource> stored, SetCheckContext context,
                         Comparison comparison) {
        for (int i = 0; i < applying.size(); i++) {
            Resource object = applying.get(i);
            for (Resource earlier : applying.subList(0, i)) {
                comparison.compare(object, earlier, true, context);
            }
            for (Resource other : stored) {
                comparison.compare(object, other, false, context);
            }
        }
    }
}

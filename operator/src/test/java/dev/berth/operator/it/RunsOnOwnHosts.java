package dev.berth.operator.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A test class that brings its own Docker hosts (the three-host bed: namespaces, their dockerds and operators) and
 * uses the shared dockerd at most to read or push images. Such a class runs beside the rest of the suite, which keeps
 * the whole run well under CI's limit, but only one of them at a time: the machine has two cores, and two beds at once
 * starve each other's operators. The lock also keeps the class's own methods in order on one thread, as they share
 * the bed. A class that removes or restarts anything shared (the test dockerd, etcd) must not carry this.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("three-host bed")
public @interface RunsOnOwnHosts {
}

package dev.berth.operator.reliability;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A fault class (the long reliability classes, and others of any package) that brings what it breaks (its own etcd
 * cluster, dockerd, proxy or operator processes) and touches the shared test dockerd and etcd only under its own
 * instance and prefix: it runs beside the rest of the suite and beside the bed classes, one such class at a time (the
 * machine has two cores; most of these classes wait for processes to die and come back). The lock also keeps the
 * class's methods in order on one thread. A class that stops, restarts or cuts anything shared must not carry this.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("fault lane")
public @interface RunsInTheFaultLane {
}

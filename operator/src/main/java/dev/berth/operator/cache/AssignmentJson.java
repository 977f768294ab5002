package dev.berth.operator.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.reconcilers.schedule.StackAssignment;
import java.util.Optional;

/** A stack's assignment as JSON in etcd. Unknown fields are ignored so an older operator reads a newer record. */
public final class AssignmentJson {
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String write(StackAssignment assignment) {
        try {
            return json.writeValueAsString(assignment);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the assignment of stack/" + assignment.stack(), e);
        }
    }

    /** Empty when the value does not decode: a broken record is no decision (hosts keep what runs). */
    public Optional<StackAssignment> read(String value) {
        try {
            return Optional.ofNullable(json.readValue(value, StackAssignment.class));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}

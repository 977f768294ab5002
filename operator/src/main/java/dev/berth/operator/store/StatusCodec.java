package dev.berth.operator.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.berth.crds.status.ObjectStatus;
import java.util.Optional;

/** Status records as JSON, with sorted keys so the same status always gives the same bytes. */
public final class StatusCodec {
    private final ObjectMapper mapper = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String write(ObjectStatus status) {
        try {
            return mapper.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status cannot be written as JSON", e);
        }
    }

    /** Empty when the stored text is not a status (never fails: status is informative only). */
    public Optional<ObjectStatus> read(String json) {
        try {
            return Optional.of(mapper.readValue(json, ObjectStatus.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}

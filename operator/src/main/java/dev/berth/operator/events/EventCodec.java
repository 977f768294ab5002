package dev.berth.operator.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/** Events as the JSON stored in etcd and printed by {@code berth events -o json}. */
public final class EventCodec {
    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String write(Event event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be written as JSON", e);
        }
    }

    /** Empty when the stored text is not an event (someone else's key, an older format): skipped, never fatal. */
    public Optional<Event> read(String json) {
        try {
            return Optional.ofNullable(mapper.readValue(json, Event.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}

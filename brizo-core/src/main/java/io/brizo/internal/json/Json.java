package io.brizo.internal.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one shared, configured Jackson mapper; thread-safe once configured. */
public final class Json {
    /**
     * Shared mapper. Unknown properties fail so typos in publisher files are caught; a key given
     * twice fails too, since a proxy or log that reads the first would see another request (or
     * another configuration) than this library, which would read the last.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .findAndAddModules()
            .build();

    private Json() {}

    /** {@return {@code value} as compact JSON} */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * {@return the tree of {@code content} that its caller has already parsed once (so it is JSON)}
     *
     * @throws UncheckedIOException if it is not JSON after all
     */
    public static JsonNode readTree(byte[] content) {
        try {
            return MAPPER.readTree(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return {@code node} as indented JSON, for files people read} */
    public static byte[] prettyBytes(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}

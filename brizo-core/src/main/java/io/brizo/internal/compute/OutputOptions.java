package io.brizo.internal.compute;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.internal.RequestFields;
import io.brizo.internal.json.Json;
import io.brizo.spi.BrizoException;
import io.brizo.spi.OutputPublication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code output} parameter of compute start, checked: {@code {"publishOutput": bool,
 * "publishAlgorithmLog": bool, "owner": "0x...", "metadata": {...}}}. Other fields of the
 * original (such as {@code nodeUri}, {@code brizoUri}, {@code whitelist}) are accepted and
 * ignored, since old clients send them. Every error names the field.
 *
 * @param publishOutput whether the outputs are to become an asset
 * @param publishAlgorithmLog whether the log is to become part of it
 * @param owner the asset's owner, or null for the consumer
 * @param metadataJson the metadata object's text, or null
 */
record OutputOptions(boolean publishOutput, boolean publishAlgorithmLog, String owner, String metadataJson) {
    static final OutputOptions NONE = new OutputOptions(false, false, null, null);

    /** {@return whether anything is to be published} */
    boolean publishes() {
        return publishOutput || publishAlgorithmLog;
    }

    /** {@return these options for the SPI, with {@code defaultOwner} if none was named} */
    OutputPublication publication(String defaultOwner) {
        return new OutputPublication(
                publishOutput, publishAlgorithmLog, owner == null ? defaultOwner : owner, metadataJson);
    }

    /**
     * {@return the options in {@code raw}; none when it is absent or blank}
     *
     * @throws BrizoException INVALID_REQUEST naming the field that is wrong
     */
    static OutputOptions parse(String raw, int maxMetadataBytes) {
        if (raw == null || raw.isBlank()) {
            return NONE;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(raw);
        } catch (IOException e) {
            throw BrizoException.invalid("output must be a JSON object, each key once");
        }
        if (node == null || !node.isObject()) {
            throw BrizoException.invalid("output must be a JSON object, each key once");
        }
        boolean publishOutput = flag(node, "publishOutput");
        boolean publishLog = flag(node, "publishAlgorithmLog");
        String owner = null;
        JsonNode o = node.get("owner");
        if (o != null && !o.isNull() && !(o.isTextual() && o.asText().isBlank())) {
            if (!o.isTextual() || !RequestFields.isAddress(o.asText().trim())) {
                throw BrizoException.invalid("output.owner must be an address: 0x followed by 40 hex digits");
            }
            owner = o.asText().trim();
        }
        String metadata = null;
        JsonNode m = node.get("metadata");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                throw BrizoException.invalid("output.metadata must be a JSON object");
            }
            metadata = m.toString();
            if (metadata.getBytes(StandardCharsets.UTF_8).length > maxMetadataBytes) {
                throw BrizoException.invalid(
                        "output.metadata is larger than " + maxMetadataBytes + " bytes as JSON; send less");
            }
        }
        return new OutputOptions(publishOutput, publishLog, owner, metadata);
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw BrizoException.invalid("output." + field + " must be true or false");
        }
        return v.booleanValue();
    }
}

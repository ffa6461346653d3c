package io.brizo.compute.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.json.Json;
import io.brizo.spi.OutputFile;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a job stored in the output location, kept in {@code .brizo/stored.json} once its outputs
 * and log are written there: the outputs by name and size, and the log's size. Only names are
 * kept; the location is derived from the configured output location, so no secret is written to
 * the job's directory.
 *
 * <p>Format 1, one JSON object: {@code format} (1), {@code outputs} (an array of {@code name},
 * {@code size}), {@code logBytes}.
 *
 * @param outputs the outputs, sorted by name
 * @param logBytes the size of the stored log
 */
record StoredOutputs(List<OutputFile> outputs, long logBytes) {
    static final int FORMAT = 1;
    /** Where the log is kept under a job's prefix. */
    static final String LOG = "logs/algorithm.log";
    /** Where the outputs are kept under a job's prefix. */
    static final String OUTPUTS = "outputs/";

    StoredOutputs {
        outputs = List.copyOf(outputs);
    }

    /** {@return the prefix, ending with {@code /}, under which a job's files are stored} */
    static URI prefix(URI outputLocation, String jobId) {
        // Job ids are letters, digits, '.', '_' and '-' and never '.' or '..': no quoting needed.
        return URI.create(outputLocation + jobId + "/");
    }

    /** {@return whether {@code name} is one of the stored outputs} */
    boolean has(String name) {
        return outputs.stream().anyMatch(f -> f.name().equals(name));
    }

    byte[] toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        ArrayNode files = o.putArray("outputs");
        for (OutputFile f : outputs) {
            files.addObject().put("name", f.name()).put("size", f.size());
        }
        o.put("logBytes", logBytes);
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise stored outputs", e);
        }
    }

    /** {@return what {@code file} says was stored} */
    static StoredOutputs read(Path file) throws IOException {
        JsonNode o = Json.MAPPER.readTree(Files.readAllBytes(file));
        if (o == null || !o.isObject() || o.path("format").asInt(-1) != FORMAT) {
            throw new IOException("not a stored-outputs file of format " + FORMAT);
        }
        List<OutputFile> files = new ArrayList<>();
        for (JsonNode f : o.path("outputs")) {
            String name = f.path("name").asText(null);
            if (name == null || !f.path("size").canConvertToLong()) {
                throw new IOException("malformed stored-outputs file");
            }
            files.add(new OutputFile(name, f.path("size").asLong()));
        }
        return new StoredOutputs(files, o.path("logBytes").asLong(0));
    }

    /** Writes the file so that a reader sees it whole or not at all: beside it, forced, renamed. */
    void write(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(toJson());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

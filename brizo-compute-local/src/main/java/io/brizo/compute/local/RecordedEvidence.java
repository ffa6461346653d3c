package io.brizo.compute.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.JobEvidence.InputDigest;
import io.brizo.spi.OutputPublication;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the backend saw of a job, kept in its {@link JobRecord} for the job's receipt: what was
 * asked when the job started, each file staged for it as it was staged, and its outputs and log
 * once it ended. Holds names, sizes and digests only: no storage location, no server path.
 * Immutable.
 *
 * <p>In the record, the object {@code evidence}: {@code environment} ({@code id}, {@code
 * description}, {@code cpus}, {@code memoryBytes}, {@code gpus}, {@code maxDurationMillis}),
 * {@code agreementIds}, {@code algorithmDid}, {@code container} ({@code image}, {@code tag},
 * {@code digest}, {@code entrypoint}), {@code algorithmFiles} and {@code outputs} (arrays of
 * {@code name}, {@code size}, {@code sha256}), {@code inputs} (an array of {@code did}, {@code
 * fileIndex}, {@code size}, {@code sha256}), {@code log} (a {@code name}, {@code size}, {@code
 * sha256} or null), {@code ended} (whether outputs and log were recorded) and {@code output}
 * (what the consumer asked to be published: {@code publishOutput}, {@code publishAlgorithmLog},
 * {@code owner}, {@code metadata} (the metadata object's text, or null); null or absent when
 * nothing).
 *
 * @param environment the environment the job runs in, as {@code environments()} listed it
 * @param agreementIds the agreements of the job's inputs, in input order
 * @param algorithmDid the algorithm asset's DID, or null for an inline algorithm
 * @param container the container the job asked for
 * @param algorithmFiles the algorithm's files as staged
 * @param inputs the input files staged so far, in staging order
 * @param outputs the outputs, once the job ended; empty before
 * @param log the log once the job ended, or null
 * @param ended whether the job's outputs and log were recorded
 * @param output what the consumer asked to be published, or null
 */
record RecordedEvidence(
        ComputeEnvironment environment,
        List<String> agreementIds,
        String algorithmDid,
        AlgorithmContainer container,
        List<FileDigest> algorithmFiles,
        List<InputDigest> inputs,
        List<FileDigest> outputs,
        FileDigest log,
        boolean ended,
        OutputPublication output) {
    /** The backend's name in evidence. */
    static final String BACKEND = "local";
    /** The name of the algorithm's file in evidence, as the job sees it in {@code transformations/}. */
    static final String ALGORITHM = "algorithm";
    /** The name of the log in evidence, as it is offered to the job's owner. */
    static final String LOG = "algorithm.log";

    RecordedEvidence {
        Objects.requireNonNull(environment, "environment");
        agreementIds = List.copyOf(agreementIds);
        Objects.requireNonNull(container, "container");
        algorithmFiles = List.copyOf(algorithmFiles);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** {@return the evidence of a job just accepted: nothing staged yet} */
    static RecordedEvidence of(ComputeJob job, ComputeEnvironment environment) {
        return new RecordedEvidence(
                environment,
                job.agreementIds(),
                job.algorithm().did(),
                job.algorithm().container(),
                List.of(),
                List.of(),
                List.of(),
                null,
                false,
                job.output());
    }

    RecordedEvidence withInput(InputDigest input) {
        List<InputDigest> more = new ArrayList<>(inputs);
        more.add(input);
        return new RecordedEvidence(
                environment, agreementIds, algorithmDid, container, algorithmFiles, more, outputs, log, ended, output);
    }

    RecordedEvidence withAlgorithmFile(FileDigest file) {
        List<FileDigest> more = new ArrayList<>(algorithmFiles);
        more.add(file);
        return new RecordedEvidence(
                environment, agreementIds, algorithmDid, container, more, inputs, outputs, log, ended, output);
    }

    /** {@return this evidence with the ended job's outputs and log} */
    RecordedEvidence ended(List<FileDigest> endOutputs, FileDigest endLog) {
        return new RecordedEvidence(
                environment,
                agreementIds,
                algorithmDid,
                container,
                algorithmFiles,
                inputs,
                endOutputs,
                endLog,
                true,
                output);
    }

    JobEvidence toJobEvidence(Duration maxDuration) {
        // The local backend runs no image: there is no image digest to report.
        return new JobEvidence(
                BACKEND,
                environment,
                maxDuration,
                agreementIds,
                algorithmDid,
                container,
                null,
                algorithmFiles,
                inputs,
                outputs,
                log,
                output);
    }

    ObjectNode toJson(ObjectNode o) {
        ObjectNode env = o.putObject("environment");
        env.put("id", environment.id());
        env.put("description", environment.description());
        env.put("cpus", environment.cpus());
        env.put("memoryBytes", environment.memoryBytes());
        env.put("gpus", environment.gpus());
        env.put("maxDurationMillis", environment.maxDuration().toMillis());
        ArrayNode agreements = o.putArray("agreementIds");
        agreementIds.forEach(agreements::add);
        o.put("algorithmDid", algorithmDid);
        ObjectNode c = o.putObject("container");
        c.put("image", container.image());
        c.put("tag", container.tag());
        c.put("digest", container.digest());
        c.put("entrypoint", container.entrypoint());
        files(o.putArray("algorithmFiles"), algorithmFiles);
        ArrayNode in = o.putArray("inputs");
        for (InputDigest d : inputs) {
            in.addObject()
                    .put("did", d.did())
                    .put("fileIndex", d.fileIndex())
                    .put("size", d.size())
                    .put("sha256", d.sha256());
        }
        files(o.putArray("outputs"), outputs);
        if (log == null) {
            o.putNull("log");
        } else {
            file(o.putObject("log"), log);
        }
        o.put("ended", ended);
        if (output == null) {
            o.putNull("output");
        } else {
            o.putObject("output")
                    .put("publishOutput", output.publishOutput())
                    .put("publishAlgorithmLog", output.publishAlgorithmLog())
                    .put("owner", output.owner())
                    .put("metadata", output.metadataJson());
        }
        return o;
    }

    private static void files(ArrayNode array, List<FileDigest> files) {
        files.forEach(f -> file(array.addObject(), f));
    }

    private static void file(ObjectNode o, FileDigest f) {
        o.put("name", f.name()).put("size", f.size()).put("sha256", f.sha256());
    }

    /** {@return the evidence in {@code o}, or null if {@code o} is missing or null} */
    static RecordedEvidence fromJson(JsonNode o) throws IOException {
        if (o == null || o.isNull()) {
            return null;
        }
        try {
            JsonNode env = o.get("environment");
            ComputeEnvironment environment = new ComputeEnvironment(
                    text(env, "id"),
                    text(env, "description"),
                    number(env, "cpus").asDouble(),
                    number(env, "memoryBytes").asLong(),
                    number(env, "gpus").asInt(),
                    Duration.ofMillis(number(env, "maxDurationMillis").asLong()));
            List<String> agreements = new ArrayList<>();
            for (JsonNode a : array(o, "agreementIds")) {
                agreements.add(a.asText());
            }
            JsonNode c = o.get("container");
            AlgorithmContainer container =
                    new AlgorithmContainer(text(c, "image"), text(c, "tag"), text(c, "digest"), text(c, "entrypoint"));
            List<InputDigest> inputs = new ArrayList<>();
            for (JsonNode d : array(o, "inputs")) {
                inputs.add(new InputDigest(
                        text(d, "did"),
                        number(d, "fileIndex").asInt(),
                        number(d, "size").asLong(),
                        text(d, "sha256")));
            }
            JsonNode log = o.get("log");
            return new RecordedEvidence(
                    environment,
                    agreements,
                    text(o, "algorithmDid"),
                    container,
                    files(array(o, "algorithmFiles")),
                    inputs,
                    files(array(o, "outputs")),
                    log == null || log.isNull() ? null : file(log),
                    o.path("ended").asBoolean(false),
                    output(o.get("output")));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("malformed evidence in the job state file", e);
        }
    }

    private static OutputPublication output(JsonNode o) {
        if (o == null || o.isNull()) {
            return null;
        }
        return new OutputPublication(
                o.path("publishOutput").asBoolean(false),
                o.path("publishAlgorithmLog").asBoolean(false),
                text(o, "owner"),
                text(o, "metadata"));
    }

    private static List<FileDigest> files(JsonNode array) throws IOException {
        List<FileDigest> out = new ArrayList<>();
        for (JsonNode f : array) {
            out.add(file(f));
        }
        return out;
    }

    private static FileDigest file(JsonNode f) throws IOException {
        return new FileDigest(text(f, "name"), number(f, "size").asLong(), text(f, "sha256"));
    }

    private static JsonNode array(JsonNode o, String field) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || !v.isArray()) {
            throw new IOException("malformed evidence in the job state file: " + field);
        }
        return v;
    }

    private static JsonNode number(JsonNode o, String field) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || !v.isNumber()) {
            throw new IOException("malformed evidence in the job state file: " + field);
        }
        return v;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}

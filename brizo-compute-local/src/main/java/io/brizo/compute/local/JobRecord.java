package io.brizo.compute.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.json.Json;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * What the backend keeps about a job on disk, in {@code .brizo/state.json}. Immutable; every
 * change makes a new record. Nothing secret is kept (no storage URLs), so the file can be read by
 * whoever administers the machine.
 *
 * <p>Format 1, one JSON object: {@code format} (1), {@code jobId}, {@code owner}, {@code
 * agreementId}, {@code state} (a {@link JobState} name), {@code exitCode}, {@code created},
 * {@code started}, {@code finished} (ISO-8601 instants), {@code message}, {@code
 * maxDurationMillis}, and while the algorithm runs {@code pid} and {@code pidStartMillis} (the
 * process's start time, to recognise the same process after a restart despite pid reuse), and
 * {@code evidence} ({@link RecordedEvidence}: what the job was given and, once it ended, what it
 * left; null for a deleted job and in records of older versions).
 * Absent or null fields mean unknown; unknown fields are ignored so newer versions can add some.
 */
record JobRecord(
        String jobId,
        String owner,
        String agreementId,
        JobState state,
        Integer exitCode,
        Instant created,
        Instant started,
        Instant finished,
        String message,
        Duration maxDuration,
        Long pid,
        Long pidStartMillis,
        RecordedEvidence evidence) {
    static final int FORMAT = 1;

    JobRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(agreementId, "agreementId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(maxDuration, "maxDuration");
    }

    /** {@return the record of a job just accepted, without evidence} */
    static JobRecord queued(ComputeJob job, Instant now) {
        return queued(job, now, null);
    }

    /** {@return the record of a job just accepted to run in {@code environment}} */
    static JobRecord queued(ComputeJob job, Instant now, ComputeEnvironment environment) {
        return new JobRecord(
                job.jobId(),
                job.owner(),
                job.agreementId(),
                JobState.QUEUED,
                null,
                now,
                null,
                null,
                null,
                job.maxDuration(),
                null,
                null,
                environment == null ? null : RecordedEvidence.of(job, environment));
    }

    JobRecord withState(JobState newState) {
        return new JobRecord(
                jobId,
                owner,
                agreementId,
                newState,
                exitCode,
                created,
                started,
                finished,
                message,
                maxDuration,
                pid,
                pidStartMillis,
                evidence);
    }

    JobRecord running(Instant startedAt, long processId, Long processStartMillis) {
        return new JobRecord(
                jobId,
                owner,
                agreementId,
                JobState.RUNNING,
                null,
                created,
                startedAt,
                null,
                null,
                maxDuration,
                processId,
                processStartMillis,
                evidence);
    }

    /** {@return this job ended in {@code endState}; the finish time is kept if already set} */
    JobRecord ended(JobState endState, Integer code, String why, Instant at) {
        return new JobRecord(
                jobId,
                owner,
                agreementId,
                endState,
                code,
                created,
                started,
                finished != null ? finished : at,
                why,
                maxDuration,
                pid,
                pidStartMillis,
                evidence);
    }

    /** {@return this record with {@code newEvidence}} */
    JobRecord withEvidence(RecordedEvidence newEvidence) {
        return new JobRecord(
                jobId,
                owner,
                agreementId,
                state,
                exitCode,
                created,
                started,
                finished,
                message,
                maxDuration,
                pid,
                pidStartMillis,
                newEvidence);
    }

    JobStatus toStatus() {
        return new JobStatus(jobId, owner, agreementId, state, exitCode, created, started, finished, message);
    }

    byte[] toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("jobId", jobId);
        o.put("owner", owner);
        o.put("agreementId", agreementId);
        o.put("state", state.name());
        o.put("exitCode", exitCode);
        o.put("created", created.toString());
        o.put("started", started == null ? null : started.toString());
        o.put("finished", finished == null ? null : finished.toString());
        o.put("message", message);
        o.put("maxDurationMillis", maxDuration.toMillis());
        o.put("pid", pid);
        o.put("pidStartMillis", pidStartMillis);
        if (evidence == null) {
            o.putNull("evidence");
        } else {
            evidence.toJson(o.putObject("evidence"));
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a job record", e);
        }
    }

    static JobRecord fromJson(byte[] json) throws IOException {
        JsonNode o = Json.MAPPER.readTree(json);
        if (o == null || !o.isObject() || o.path("format").asInt(-1) != FORMAT) {
            throw new IOException("not a job state file of format " + FORMAT);
        }
        try {
            return new JobRecord(
                    text(o, "jobId"),
                    text(o, "owner"),
                    text(o, "agreementId"),
                    JobState.valueOf(text(o, "state")),
                    o.hasNonNull("exitCode") ? o.get("exitCode").asInt() : null,
                    Instant.parse(text(o, "created")),
                    instant(o, "started"),
                    instant(o, "finished"),
                    text(o, "message"),
                    Duration.ofMillis(o.path("maxDurationMillis").asLong(0)),
                    o.hasNonNull("pid") ? o.get("pid").asLong() : null,
                    o.hasNonNull("pidStartMillis") ? o.get("pidStartMillis").asLong() : null,
                    RecordedEvidence.fromJson(o.get("evidence")));
        } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
            throw new IOException("malformed job state file", e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode o, String field) {
        String s = text(o, field);
        return s == null ? null : Instant.parse(s);
    }

    /** {@return the record in {@code file}} */
    static JobRecord read(Path file) throws IOException {
        return fromJson(Files.readAllBytes(file));
    }

    /**
     * Writes the record to {@code file} so that a reader, or a server restarted after a crash,
     * sees either the old or the new record whole: written beside it, forced to disk, renamed.
     */
    void write(Path file) throws IOException {
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

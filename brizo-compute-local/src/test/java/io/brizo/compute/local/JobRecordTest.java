package io.brizo.compute.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.JobEvidence.InputDigest;
import io.brizo.spi.JobState;
import io.brizo.spi.OutputPublication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRecordTest {
    @TempDir
    Path dir;

    private static JobRecord running() {
        ComputeJob job = new ComputeJob(
                "job-1",
                "0x" + "a".repeat(40),
                "0x" + "1".repeat(64),
                List.of(),
                new ComputeAlgorithm(
                        null,
                        new ComputeAlgorithm.Code("exit 0", null),
                        new AlgorithmContainer("sh", null, null, "sh $ALGO")),
                "local",
                Duration.ofMinutes(5));
        return JobRecord.queued(job, Instant.parse("2026-01-02T03:04:05.123456Z"))
                .running(Instant.parse("2026-01-02T03:04:06Z"), 4242, 1767323046000L);
    }

    @Test
    void aRecordWrittenToAFileReadsBackTheSame() throws IOException {
        JobRecord record = running();
        Path file = dir.resolve("state.json");
        record.write(file);
        assertEquals(record, JobRecord.read(file));
        assertFalse(Files.exists(dir.resolve("state.json.tmp")));

        JobRecord ended = record.ended(JobState.FAILED, 3, "the algorithm exited with code 3", Instant.now());
        ended.write(file);
        assertEquals(ended, JobRecord.read(file));
    }

    @Test
    void aRecordWithEvidenceReadsBackTheSame() throws IOException {
        ComputeJob job = new ComputeJob(
                "job-2",
                "0x" + "a".repeat(40),
                "0x" + "1".repeat(64),
                List.of(new Asset("did:op:" + "d1".repeat(32), List.of())),
                new ComputeAlgorithm(
                        "did:op:" + "a1".repeat(32),
                        new ComputeAlgorithm.Code("exit 0", null),
                        new AlgorithmContainer("python", "3.12", "sha256:" + "0".repeat(64), "python $ALGO")),
                "local",
                Duration.ofMinutes(5));
        ComputeEnvironment environment =
                new ComputeEnvironment("local", "this machine", 2.5, 1L << 30, 1, Duration.ofHours(1));
        String sha = "ab".repeat(32);
        JobRecord record = JobRecord.queued(job, Instant.parse("2026-01-02T03:04:05Z"), environment);
        RecordedEvidence staged = record.evidence()
                .withInput(new InputDigest("did:op:" + "d1".repeat(32), 0, 12, sha))
                .withAlgorithmFile(new FileDigest("algorithm", 6, sha));
        JobRecord ended = record.withEvidence(staged)
                .ended(JobState.SUCCEEDED, 0, null, Instant.parse("2026-01-02T03:05:00Z"))
                .withEvidence(staged.ended(
                        List.of(new FileDigest("sub/out.bin", 0, sha)), new FileDigest("algorithm.log", 3, sha)));
        Path file = dir.resolve("state.json");
        for (JobRecord r : List.of(record, record.withEvidence(staged), ended)) {
            r.write(file);
            assertEquals(r, JobRecord.read(file));
        }
        assertEquals(
                new JobEvidence(
                        "local",
                        environment,
                        Duration.ofMinutes(5),
                        List.of("0x" + "1".repeat(64)),
                        "did:op:" + "a1".repeat(32),
                        job.algorithm().container(),
                        null,
                        List.of(new FileDigest("algorithm", 6, sha)),
                        List.of(new InputDigest("did:op:" + "d1".repeat(32), 0, 12, sha)),
                        List.of(new FileDigest("sub/out.bin", 0, sha)),
                        new FileDigest("algorithm.log", 3, sha)),
                JobRecord.read(file).evidence().toJobEvidence(Duration.ofMinutes(5)));
    }

    @Test
    void whatTheConsumerAskedToPublishIsKeptWithTheJobAndInItsEvidence() throws IOException {
        OutputPublication asked = new OutputPublication(true, false, "0x" + "B".repeat(40), "{\"name\":\"counts\"}");
        ComputeJob job = new ComputeJob(
                "job-3",
                "0x" + "a".repeat(40),
                "did:op:" + "d2".repeat(32),
                List.of(new Asset("did:op:" + "d2".repeat(32), List.of())),
                new ComputeAlgorithm(
                        null,
                        new ComputeAlgorithm.Code("exit 0", null),
                        new AlgorithmContainer("sh", null, null, "sh $ALGO")),
                "local",
                Duration.ofMinutes(5),
                List.of("did:op:" + "d2".repeat(32)),
                asked);
        ComputeEnvironment environment =
                new ComputeEnvironment("local", "this machine", 1, 1L << 30, 0, Duration.ofHours(1));
        JobRecord record = JobRecord.queued(job, Instant.parse("2026-01-02T03:04:05Z"), environment);
        JobRecord ended = record.ended(JobState.SUCCEEDED, 0, null, Instant.parse("2026-01-02T03:05:00Z"))
                .withEvidence(record.evidence().ended(List.of(), null));
        Path file = dir.resolve("state.json");
        ended.write(file);
        JobRecord read = JobRecord.read(file);
        assertEquals(ended, read);
        JobEvidence evidence = read.evidence().toJobEvidence(Duration.ofMinutes(5));
        assertEquals(asked, evidence.output());
        assertEquals("0x" + "b".repeat(40), evidence.output().owner());
        // Records of older versions have no output: nothing to publish.
        com.fasterxml.jackson.databind.node.ObjectNode older = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.brizo.internal.json.Json.MAPPER.readTree(ended.toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) older.get("evidence")).remove("output");
        assertEquals(
                null,
                JobRecord.fromJson(io.brizo.internal.json.Json.MAPPER.writeValueAsBytes(older))
                        .evidence()
                        .output());
    }

    @Test
    void unknownFieldsAreIgnoredSoNewerVersionsCanAddSome() throws IOException {
        String json = new String(running().toJson(), UTF_8).replaceFirst("\\{", "{\"addedLater\": [1, 2],");
        assertEquals(running(), JobRecord.fromJson(json.getBytes(UTF_8)));
    }

    @Test
    void malformedFilesAreRejected() {
        for (String json : List.of(
                "",
                "[]",
                "{\"format\": 2}",
                "{\"format\": 1, \"jobId\": \"j\"}",
                new String(running().toJson(), UTF_8).replace("RUNNING", "DANCING"))) {
            assertThrows(IOException.class, () -> JobRecord.fromJson(json.getBytes(UTF_8)), json);
        }
    }
}

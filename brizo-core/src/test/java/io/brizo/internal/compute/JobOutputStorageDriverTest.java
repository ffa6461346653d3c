package io.brizo.internal.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.StorageObject;
import io.brizo.spi.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The job-output storage driver and the DIDs of derived assets. */
class JobOutputStorageDriverTest {
    private static final Map<String, byte[]> OUTPUTS = Map.of(
            "a.txt", "alpha".getBytes(StandardCharsets.UTF_8),
            "sub dir/b #1.txt", "0123456789".getBytes(StandardCharsets.UTF_8));

    private static JobOutputStorageDriver driver() {
        JobOutputStorageDriver d = new JobOutputStorageDriver();
        d.bind(new Outputs());
        return d;
    }

    @Test
    void listedOutputsAreServedWithStatAndRanges() throws IOException {
        JobOutputStorageDriver d = driver();
        URI b = JobOutputStorageDriver.output("job1", "sub dir/b #1.txt");
        assertTrue(d.supports(b));
        assertFalse(d.supports(URI.create("file:///etc/passwd")));
        assertEquals(10, d.stat(b).size());
        try (StorageObject o = d.open(b, ByteRange.of(2, 4))) {
            assertEquals(new ByteRange.Slice(2, 3, 10), o.slice());
            assertArrayEquals("234".getBytes(StandardCharsets.UTF_8), o.stream().readAllBytes());
        }
        try (StorageObject o = d.open(JobOutputStorageDriver.output("job1", "a.txt"), ByteRange.all())) {
            assertArrayEquals(OUTPUTS.get("a.txt"), o.stream().readAllBytes());
        }
    }

    @Test
    void namesTheBackendDoesNotListAndOtherFormsAreRefused() {
        JobOutputStorageDriver d = driver();
        for (URI u : List.of(
                JobOutputStorageDriver.output("job1", "../state.json"),
                JobOutputStorageDriver.output("job1", "c.txt"),
                URI.create("brizo-job-output:job1/a.txt"),
                URI.create("brizo-job-output:../x/outputs/a.txt"),
                URI.create("brizo-job-output:job1/outputs/"))) {
            BrizoException e = assertThrows(BrizoException.class, () -> d.open(u, ByteRange.all()), u.toString());
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
            assertThrows(BrizoException.class, () -> d.stat(u), u.toString());
        }
    }

    @Test
    void withoutABackendNothingIsServed() {
        BrizoException e = assertThrows(BrizoException.class, () -> new JobOutputStorageDriver()
                .stat(JobOutputStorageDriver.output("job1", "a.txt")));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
    }

    @Test
    void derivedDidsAreDeterministicPerProviderAndJob() {
        AssetResolver none = did -> Optional.empty();
        ServiceAgreementVerifier denies = claim -> Verdict.denied("no");
        DerivedAssets a = new DerivedAssets(new Outputs(), none, denies, "0x" + "AB".repeat(20));
        DerivedAssets same = new DerivedAssets(new Outputs(), none, denies, "0x" + "ab".repeat(20));
        DerivedAssets other = new DerivedAssets(new Outputs(), none, denies, null);
        assertEquals(a.didOf("job1"), same.didOf("job1"));
        assertTrue(a.didOf("job1").matches("did:op:[0-9a-f]{64}"));
        assertNotEquals(a.didOf("job1"), a.didOf("job2"));
        assertNotEquals(a.didOf("job1"), other.didOf("job1"));
        // A publisher that can neither register nor grant refuses publishing at once.
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> a.requirePossible(new io.brizo.spi.OutputPublication(true, false, "0x" + "1".repeat(40), null)));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
    }

    /** A backend whose job {@code job1} has {@link #OUTPUTS}. */
    private static final class Outputs implements ComputeBackend {
        @Override
        public List<OutputFile> outputs(String jobId) {
            if (!jobId.equals("job1")) {
                throw BrizoException.notFound("no such job");
            }
            return OUTPUTS.entrySet().stream()
                    .map(e -> new OutputFile(e.getKey(), e.getValue().length))
                    .toList();
        }

        @Override
        public StorageObject openOutput(String jobId, String name) {
            byte[] b = OUTPUTS.get(name);
            if (!jobId.equals("job1") || b == null) {
                // The driver must never ask for what the job does not list.
                throw new AssertionError("opened an unlisted output " + name);
            }
            return new StorageObject(
                    ObjectInfo.builder(b.length).build(),
                    new ByteRange.Slice(0, b.length, b.length),
                    new ByteArrayInputStream(b));
        }

        @Override
        public List<ComputeEnvironment> environments() {
            throw new UnsupportedOperationException();
        }

        @Override
        public JobStatus start(ComputeJob job) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JobStatus status(String jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<JobStatus> jobs(String owner, String agreementId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public JobStatus stop(String jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogChunk logs(String jobId, long fromOffset) {
            throw new UnsupportedOperationException();
        }
    }
}

package io.brizo.internal.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ranges of a job's output, cut by the service from the whole file the backend opens. */
class ComputeServiceOutputRangeTest {
    private static final byte[] CONTENT = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

    @Test
    void aRangeOfAnOutputYieldsExactlyThoseBytes() throws IOException {
        ComputeService service = service(CONTENT, CONTENT.length);
        try (StorageObject o = service.openOutput("job", "out.bin", ByteRange.of(3, 5))) {
            assertEquals(new ByteRange.Slice(3, 3, 10), o.slice());
            assertArrayEquals(new byte[] {3, 4, 5}, o.stream().readAllBytes());
        }
    }

    @Test
    void aRangeOfAnOutputThatEndsEarlyFailsTheReadInsteadOfEndingQuietly() throws IOException {
        // The backend reports 10 bytes, but its stream has only 5: the output shrank.
        ComputeService service = service(new byte[] {0, 1, 2, 3, 4}, CONTENT.length);
        try (StorageObject o = service.openOutput("job", "out.bin", ByteRange.of(3, 8))) {
            EOFException e = assertThrows(EOFException.class, o.stream()::readAllBytes);
            assertTrue(e.getMessage().contains("2 of 6"), e.getMessage());
        }
    }

    private static ComputeService service(byte[] stream, long reportedSize) {
        return new ComputeService(new OneOutput(stream, reportedSize), null, null, null, BrizoMetrics.none());
    }

    /** A backend with one job and one output, whose stream may hold fewer bytes than reported. */
    private record OneOutput(byte[] stream, long reportedSize) implements ComputeBackend {
        @Override
        public StorageObject openOutput(String jobId, String name) {
            return new StorageObject(
                    ObjectInfo.builder(reportedSize).build(),
                    new ByteRange.Slice(0, reportedSize, reportedSize),
                    new ByteArrayInputStream(stream));
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

        @Override
        public List<OutputFile> outputs(String jobId) {
            throw new UnsupportedOperationException();
        }
    }
}

package io.brizo.internal.compute;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.LogChunk;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.OutputFile;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Serves the outputs (and log) of compute jobs as storage, for the files of derived assets and
 * for jobs that read them: {@code brizo-job-output:<jobId>/outputs/<name>} is output {@code name}
 * of the job, as {@link ComputeBackend#outputs} lists it, read through {@link
 * ComputeBackend#openOutput}; {@code brizo-job-output:<jobId>/log/<name>} is its log, read
 * through {@link ComputeBackend#logs}. Names the backend does not list are refused.
 *
 * <p>These locations are internal: only the library writes them (into the asset catalogue, when
 * it registers a derived asset), and like any asset file's location they are never shown to a
 * consumer. Read-only. The backend is bound once it exists, since the backend is itself built
 * over the storage this driver belongs to. Thread-safe.
 */
public final class JobOutputStorageDriver implements StorageDriver {
    /** The scheme of job-output locations. */
    public static final String SCHEME = "brizo-job-output";

    private static final Pattern JOB_ID = Pattern.compile("[0-9a-zA-Z_-]{1,100}");
    private static final String OUTPUTS = "/outputs/";
    private static final String LOG = "/log/";

    private final AtomicReference<ComputeBackend> backend = new AtomicReference<>();

    /** Serves the outputs of {@code computeBackend} from now on. */
    public void bind(ComputeBackend computeBackend) {
        backend.set(Objects.requireNonNull(computeBackend, "computeBackend"));
    }

    /** {@return the location of output {@code name} of job {@code jobId}} */
    public static URI output(String jobId, String name) {
        return location(jobId + OUTPUTS + name);
    }

    /** {@return the location of the log of job {@code jobId}, offered under {@code name}} */
    public static URI log(String jobId, String name) {
        return location(jobId + LOG + name);
    }

    private static URI location(String ssp) {
        try {
            return new URI(SCHEME, ssp, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot make a job-output location", e);
        }
    }

    @Override
    public String name() {
        return "job-output";
    }

    @Override
    public boolean supports(URI location) {
        return SCHEME.equalsIgnoreCase(location.getScheme());
    }

    @Override
    public ObjectInfo stat(URI location) {
        Target t = target(location);
        if (t.log()) {
            return ObjectInfo.builder(logSize(t.jobId()))
                    .contentType("text/plain; charset=utf-8")
                    .build();
        }
        try (StorageObject o = t.backend().openOutput(t.jobId(), t.name())) {
            return o.info();
        } catch (IOException e) {
            throw unreadable();
        }
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        Target t = target(location);
        if (t.log()) {
            long size = logSize(t.jobId());
            ByteRange.Slice slice = range.resolve(size);
            InputStream in = ExactLengthInputStream.builder(
                            new LogStream(t.backend(), t.jobId(), slice.offset()), slice.length())
                    .describedAs("the job's log")
                    .build();
            return new StorageObject(
                    ObjectInfo.builder(size)
                            .contentType("text/plain; charset=utf-8")
                            .build(),
                    slice,
                    in);
        }
        return ComputeService.openOutput(t.backend(), t.jobId(), t.name(), range);
    }

    private long logSize(String jobId) {
        ComputeBackend b = bound();
        return b.evidence(jobId)
                .flatMap(JobEvidence::logIfAny)
                .map(JobEvidence.FileDigest::size)
                .orElseThrow(() -> BrizoException.notFound("the job has no log to serve"));
    }

    private record Target(ComputeBackend backend, String jobId, String name, boolean log) {}

    /** {@return what {@code location} names, checked against what the backend lists} */
    private Target target(URI location) {
        if (!supports(location) || location.getSchemeSpecificPart() == null) {
            throw BrizoException.notFound("no such job output");
        }
        String ssp = location.getSchemeSpecificPart();
        int slash = ssp.indexOf('/');
        String jobId = slash < 0 ? ssp : ssp.substring(0, slash);
        String rest = slash < 0 ? "" : ssp.substring(slash);
        if (!JOB_ID.matcher(jobId).matches()) {
            throw BrizoException.notFound("no such job output");
        }
        ComputeBackend b = bound();
        if (rest.startsWith(LOG) && rest.length() > LOG.length()) {
            return new Target(b, jobId, rest.substring(LOG.length()), true);
        }
        if (!rest.startsWith(OUTPUTS) || rest.length() == OUTPUTS.length()) {
            throw BrizoException.notFound("no such job output");
        }
        String name = rest.substring(OUTPUTS.length());
        boolean listed = b.outputs(jobId).stream().map(OutputFile::name).anyMatch(name::equals);
        if (!listed) {
            throw BrizoException.notFound("the job has no such output");
        }
        return new Target(b, jobId, name, false);
    }

    private ComputeBackend bound() {
        ComputeBackend b = backend.get();
        if (b == null) {
            throw BrizoException.notFound("this publisher runs no compute, so it has no job outputs");
        }
        return b;
    }

    private static BrizoException unreadable() {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, "the job output cannot be read", null, true);
    }

    /** The log from an offset, read chunk by chunk through the backend. */
    private static final class LogStream extends InputStream {
        private final ComputeBackend backend;
        private final String jobId;
        private long offset;
        private byte[] buffer = new byte[0];
        private int position;
        private boolean complete;

        LogStream(ComputeBackend backend, String jobId, long offset) {
            this.backend = backend;
            this.jobId = jobId;
            this.offset = offset;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position >= buffer.length) {
                if (complete) {
                    return -1;
                }
                LogChunk chunk;
                try {
                    chunk = backend.logs(jobId, offset);
                } catch (BrizoException e) {
                    throw new IOException("the job's log cannot be read", e);
                }
                buffer = chunk.data();
                position = 0;
                offset = chunk.nextOffset();
                if (buffer.length == 0) {
                    // An ended job's log does not grow: no bytes means its end.
                    complete = true;
                }
            }
            int n = Math.min(len, buffer.length - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }
    }
}

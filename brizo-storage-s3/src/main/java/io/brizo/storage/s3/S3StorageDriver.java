package io.brizo.storage.s3;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ContentRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Reads, writes and deletes objects at {@code s3://bucket/key} locations through one {@link
 * S3Client} (and one {@link S3Presigner} for presigned URLs), both closed by {@link #close()}.
 * Thread-safe: the SDK's clients are.
 *
 * <ul>
 *   <li>{@code stat} is a HEAD; {@code open} one ranged GET whose body is streamed, never
 *       buffered, and checked against the {@code Content-Range} the store answers.
 *   <li>{@code write} sends one PUT when the data fits in one part, else a multipart upload that
 *       holds one part in memory at a time and is aborted if anything fails, so a failed write
 *       leaves no object and no stored parts behind.
 *   <li>{@code delete} is one DeleteObject; a missing object is not an error.
 *   <li>{@code presignGet} signs a GET valid for at most the configured lifetime.
 * </ul>
 *
 * <p>No message and no log line above DEBUG names the bucket, the key, the endpoint or a
 * credential; see {@link S3Errors}.
 */
final class S3StorageDriver implements StorageDriver {
    private static final Logger LOG = LoggerFactory.getLogger(S3StorageDriver.class);

    /** S3's limit on the parts of one multipart upload. */
    static final int MAX_PARTS = 10_000;

    private final S3Client client;
    private final S3Presigner presigner;
    private final Duration maxPresignLifetime;
    private final int partSize;
    private final String description;

    /**
     * @param maxPresignLifetime the longest lifetime of a presigned URL; zero turns presigning off
     * @param partSize the size of every part but the last of a multipart upload, and the largest
     *     object written with a single PUT
     * @param description what {@link #toString()} shows; never a host or a credential
     */
    S3StorageDriver(
            S3Client client, S3Presigner presigner, Duration maxPresignLifetime, int partSize, String description) {
        this.client = Objects.requireNonNull(client, "client");
        this.presigner = Objects.requireNonNull(presigner, "presigner");
        this.maxPresignLifetime = Objects.requireNonNull(maxPresignLifetime, "maxPresignLifetime");
        this.partSize = partSize;
        this.description = Objects.requireNonNull(description, "description");
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public boolean supports(URI location) {
        // Every s3: location, also a malformed one: its error then says what is wrong with it,
        // rather than "no driver handles this location".
        return S3Location.isS3(location);
    }

    @Override
    public ObjectInfo stat(URI location) {
        S3Location loc = S3Location.parse(location);
        HeadObjectResponse r;
        try {
            r = client.headObject(b -> b.bucket(loc.bucket()).key(loc.key()));
        } catch (SdkException e) {
            throw S3Errors.map(e, "looking up");
        }
        if (r.contentLength() == null || r.contentLength() < 0) {
            throw upstream("the storage service does not report the object's size");
        }
        return info(r.contentLength(), r.contentType(), r.eTag(), r.lastModified());
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        Objects.requireNonNull(range, "range");
        S3Location loc = S3Location.parse(location);
        GetObjectRequest.Builder request =
                GetObjectRequest.builder().bucket(loc.bucket()).key(loc.key());
        if (range.isAll()) {
            // Asks the store for the object's checksum, which the SDK then checks as the last
            // byte is read. Stores keep checksums of whole objects only, so not for ranges.
            request.checksumMode(ChecksumMode.ENABLED);
        } else {
            request.range("bytes=" + range);
        }
        ResponseInputStream<GetObjectResponse> body;
        try {
            body = client.getObject(request.build());
        } catch (SdkException e) {
            throw S3Errors.map(e, "reading");
        }
        try {
            return toObject(body, range);
        } catch (IOException e) {
            abort(body);
            throw new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "reading from the storage service failed; try again",
                    BrizoException.redactedCause(e),
                    true);
        } catch (RuntimeException e) {
            abort(body);
            throw e;
        }
    }

    private StorageObject toObject(ResponseInputStream<GetObjectResponse> body, ByteRange range) throws IOException {
        GetObjectResponse r = body.response();
        String contentRange = r.contentRange();
        if (contentRange != null) {
            // S3 answers a satisfiable range with "bytes first-last/total"; anything else is not
            // an answer to the range asked for.
            ContentRange cr = ContentRange.parse(contentRange)
                    .filter(c -> !c.unsatisfied() && c.total() >= 0)
                    .orElseThrow(() ->
                            upstream("the storage service answered a range request without a usable Content-Range"));
            long total = cr.total();
            ByteRange.Slice expected;
            try {
                expected = range.resolve(total);
            } catch (BrizoException e) {
                if (e.kind() == ErrorKind.RANGE_NOT_SATISFIABLE) {
                    throw e;
                }
                throw rangeMismatch();
            }
            if (cr.first() != expected.offset()
                    || cr.last() != expected.lastOffset()
                    || (r.contentLength() != null && r.contentLength() != expected.length())) {
                throw rangeMismatch();
            }
            return new StorageObject(
                    info(total, r.contentType(), r.eTag(), r.lastModified()),
                    expected,
                    stream(body, expected.length(), true));
        }
        // No Content-Range: the whole object, also when a range was asked for and the store
        // ignored it (or an empty object's "bytes=0-", which must still be unsatisfiable).
        Long total = r.contentLength();
        if (total == null || total < 0) {
            throw upstream("the storage service does not report the object's size");
        }
        ByteRange.Slice slice = range.resolve(total);
        if (slice.offset() > 0) {
            LOG.debug("the storage service ignored a Range header; discarding {} bytes", slice.offset());
            // Reads and drops in small chunks, so memory stays flat; throws if the body ends first.
            body.skipNBytes(slice.offset());
        }
        return new StorageObject(
                info(total, r.contentType(), r.eTag(), r.lastModified()),
                slice,
                stream(body, slice.length(), slice.offset() + slice.length() == total));
    }

    /**
     * {@return the body of a GET as the object's stream: exactly {@code length} bytes, then the
     * end}
     *
     * <ul>
     *   <li>Once the last byte is read, the body is read once more to its end: that is when the
     *       SDK checks the object's checksum (if the store sent one), and a body longer than
     *       announced is an error as well.
     *   <li>Closing before that aborts the HTTP connection: closing the SDK's stream would drain
     *       it, and a consumer who stops a 1 GiB download must not make the publisher read the
     *       rest from S3.
     * </ul>
     *
     * @param body the response body, positioned at the first byte to yield
     * @param length how many bytes to yield
     * @param bodyEndsHere whether the body ends after them, so its end can be verified; false
     *     when the store sent more than was asked for (it ignored a range)
     */
    static ExactLengthInputStream stream(ResponseInputStream<?> body, long length, boolean bodyEndsHere) {
        return ExactLengthInputStream.builder(body, length)
                .describedAs("the S3 object")
                // A body that goes on past the range is not wanted: drop the connection at once
                // rather than drain it when the stream is closed.
                .onEnd(bodyEndsHere ? () -> verifyEnd(body, length) : () -> abort(body))
                .onEarlyClose(body::abort)
                .build();
    }

    /** Reads the body's end, which makes the SDK validate the object's checksum if it has one. */
    private static void verifyEnd(ResponseInputStream<?> body, long length) throws IOException {
        if (body.read() >= 0) {
            throw new IOException("the storage sent more than the " + length + " bytes it announced");
        }
    }

    /**
     * {@return a presigned GET URL valid for {@code lifetime}, or empty if presigning is turned
     * off (S3_PRESIGN_LIFETIME=0)} A null lifetime means the configured one. The URL names the
     * bucket, the key and the endpoint: hand it only to whoever may read the object.
     *
     * @throws BrizoException of kind INVALID_REQUEST if {@code lifetime} is not positive or
     *     longer than the configured maximum
     */
    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        if (maxPresignLifetime.isZero()) {
            return Optional.empty();
        }
        Duration d = lifetime == null ? maxPresignLifetime : lifetime;
        if (d.isNegative() || d.isZero() || d.compareTo(maxPresignLifetime) > 0) {
            throw BrizoException.invalid("a presigned URL must be valid for more than 0 s and at most "
                    + maxPresignLifetime.toSeconds() + " s (S3_PRESIGN_LIFETIME); asked for " + d.toSeconds()
                    + " s");
        }
        S3Location loc = S3Location.parse(location);
        try {
            URI uri = presigner
                    .presignGetObject(p -> p.signatureDuration(d)
                            .getObjectRequest(g -> g.bucket(loc.bucket()).key(loc.key())))
                    .url()
                    .toURI();
            return Optional.of(uri);
        } catch (SdkException e) {
            throw S3Errors.map(e, "presigning");
        } catch (URISyntaxException e) {
            throw new BrizoException(
                    ErrorKind.INTERNAL,
                    "the S3 client made an unusable presigned URL",
                    BrizoException.redactedCause(e),
                    false);
        }
    }

    /**
     * Writes the object: one PUT if the data fits in one part, else a multipart upload of parts
     * of the configured size, one part in memory at a time. A failed write is aborted and leaves
     * no object (and no stored parts); an existing object at the location stays until the new
     * one is complete, as S3 replaces objects atomically.
     *
     * @throws BrizoException of kind INVALID_REQUEST if {@code length} is given and the data has
     *     another length; UPSTREAM_FAILED (retryable) if reading {@code data} fails; otherwise as
     *     the store answers
     */
    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        Objects.requireNonNull(data, "data");
        S3Location loc = S3Location.parse(location);
        PushbackInputStream in = new PushbackInputStream(data, 1);
        byte[] part = new byte[length >= 0 && length < partSize ? (int) length : partSize];
        int n = fill(in, part);
        if (n < part.length || atEnd(in)) {
            requireLength(n, length);
            return putSingle(loc, part, n, contentType);
        }
        if (part.length < partSize) {
            // Announced as shorter than one part, yet there is more: too long.
            throw lengthMismatch(length, "more than " + length);
        }
        return putMultipart(loc, in, part, length, contentType);
    }

    /**
     * Deletes the object with one DeleteObject. A missing object, or a missing bucket, is not an
     * error: S3 answers the first with success anyway, and either way nothing is left there. In
     * a versioned bucket S3 adds a delete marker and keeps the older versions.
     */
    @Override
    public void delete(URI location) {
        S3Location loc = S3Location.parse(location);
        try {
            client.deleteObject(b -> b.bucket(loc.bucket()).key(loc.key()));
        } catch (SdkException e) {
            BrizoException mapped = S3Errors.map(e, "deleting");
            if (mapped.kind() != ErrorKind.NOT_FOUND) {
                throw mapped;
            }
        }
    }

    private ObjectInfo putSingle(S3Location loc, byte[] bytes, int n, String contentType) {
        PutObjectResponse r;
        try {
            r = client.putObject(
                    b -> b.bucket(loc.bucket())
                            .key(loc.key())
                            .contentType(contentType)
                            .contentLength((long) n),
                    body(bytes, n));
        } catch (SdkException e) {
            throw S3Errors.map(e, "writing");
        }
        return info(n, contentType, r.eTag(), null);
    }

    private ObjectInfo putMultipart(S3Location loc, InputStream in, byte[] part, long length, String contentType) {
        CreateMultipartUploadResponse created;
        try {
            created = client.createMultipartUpload(b -> b.bucket(loc.bucket())
                    .key(loc.key())
                    .contentType(contentType)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32));
        } catch (SdkException e) {
            throw S3Errors.map(e, "writing");
        }
        String uploadId = created.uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            int n = part.length; // the first part is already in the buffer
            for (int number = 1; n > 0; number++) {
                total += n;
                if (length >= 0 && total > length) {
                    throw lengthMismatch(length, "more than " + length);
                }
                if (number > MAX_PARTS) {
                    throw new BrizoException(
                            ErrorKind.INVALID_REQUEST,
                            "the data to write is larger than S3's " + MAX_PARTS
                                    + " parts of S3_MULTIPART_PART_SIZE; raise that setting");
                }
                int partNumber = number;
                long size = n;
                UploadPartResponse r = client.uploadPart(
                        b -> b.bucket(loc.bucket())
                                .key(loc.key())
                                .uploadId(uploadId)
                                .partNumber(partNumber)
                                .contentLength(size)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        body(part, n));
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(r.eTag())
                        .checksumCRC32(r.checksumCRC32())
                        .build());
                n = fill(in, part);
            }
            requireLength(total, length);
            String etag = client.completeMultipartUpload(b -> b.bucket(loc.bucket())
                            .key(loc.key())
                            .uploadId(uploadId)
                            .multipartUpload(u -> u.parts(parts)))
                    .eTag();
            return info(total, contentType, etag, null);
        } catch (SdkException e) {
            BrizoException mapped = S3Errors.map(e, "writing");
            abortUpload(loc, uploadId, mapped);
            throw mapped;
        } catch (RuntimeException e) {
            abortUpload(loc, uploadId, e);
            throw e;
        }
    }

    /** Aborts a multipart upload so that S3 keeps (and bills) none of its parts. */
    private void abortUpload(S3Location loc, String uploadId, RuntimeException failure) {
        try {
            client.abortMultipartUpload(
                    b -> b.bucket(loc.bucket()).key(loc.key()).uploadId(uploadId));
        } catch (SdkException e) {
            // The bucket's lifecycle rule for incomplete uploads is the last resort.
            LOG.debug("aborting a failed multipart upload failed", e);
            failure.addSuppressed(S3Errors.map(e, "aborting the upload of"));
        }
    }

    /**
     * A body over the first {@code n} bytes of {@code bytes}, without a copy; the SDK can read
     * it again for a retry or for signing.
     */
    private static RequestBody body(byte[] bytes, int n) {
        // The media type here is only the SDK's fallback: a request's own content type wins.
        return RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(bytes, 0, n), n, "application/octet-stream");
    }

    /** Fills {@code buffer} from {@code in}; {@return how many bytes it holds} (less only at the end). */
    private static int fill(InputStream in, byte[] buffer) {
        try {
            return in.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw inputFailed(e);
        }
    }

    private static boolean atEnd(PushbackInputStream in) {
        try {
            int b = in.read();
            if (b < 0) {
                return true;
            }
            in.unread(b);
            return false;
        } catch (IOException e) {
            throw inputFailed(e);
        }
    }

    private static BrizoException inputFailed(IOException e) {
        LOG.debug("reading the data to write failed", e);
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED, "reading the data to write failed", BrizoException.redactedCause(e), true);
    }

    private static void requireLength(long actual, long announced) {
        if (announced >= 0 && actual != announced) {
            throw lengthMismatch(announced, Long.toString(actual));
        }
    }

    private static BrizoException lengthMismatch(long announced, String actual) {
        return new BrizoException(
                ErrorKind.INVALID_REQUEST,
                "the data to write had " + actual + " bytes instead of the " + announced + " announced");
    }

    private static ObjectInfo info(long size, String contentType, String etag, Instant lastModified) {
        return ObjectInfo.builder(size)
                .contentType(contentType)
                .etag(etag)
                .lastModified(lastModified)
                .build();
    }

    private static void abort(ResponseInputStream<?> body) {
        try {
            body.abort();
            body.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("releasing an S3 response failed", e);
        }
    }

    private static BrizoException upstream(String message) {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, message, null, false);
    }

    private static BrizoException rangeMismatch() {
        return upstream("the storage service answered with a different byte range than the one asked for");
    }

    @Override
    public void close() {
        // Both, even if the first fails: each holds its own resources. The presigner also
        // closes the credentials provider the two share (the default chain holds HTTP clients
        // for container and instance credentials); the S3 client closes its HTTP client.
        try {
            presigner.close();
        } finally {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "S3StorageDriver{" + description + "}";
    }
}

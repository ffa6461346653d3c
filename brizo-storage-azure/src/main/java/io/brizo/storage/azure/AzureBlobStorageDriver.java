package io.brizo.storage.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.Response;
import com.azure.core.util.Context;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.BlobServiceVersion;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.UserDelegationKey;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.common.sas.SasProtocol;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ContentRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import io.brizo.storage.azure.AzureErrors.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, writes and deletes the blobs of one Azure Storage account through one {@code
 * BlobServiceClient} on the JDK HTTP client. Thread-safe.
 *
 * <p>{@code stat} asks for the blob's properties; {@code write} is the SDK's upload (one request
 * up to the block size, staged blocks and a commit above it, so a failed upload leaves the
 * previous version in place); {@code presignGet} is a read-only service SAS signed with the
 * account key, or a user delegation SAS with a service principal.
 *
 * <p>{@code open} sends one ranged {@code GET} through the client's own HTTP pipeline (same
 * credentials, retry policy and service version) and hands out the response body as it comes off
 * the socket. The SDK's download methods either push into an {@code OutputStream} or go through a
 * reactive stream that reads ahead by megabytes per download; the JDK client's {@code
 * InputStream} holds a few kilobytes, so memory stays flat with many downloads at once.
 *
 * <p>No message and no log line above DEBUG contains the account's host, a container, a blob
 * name or a credential.
 */
final class AzureBlobStorageDriver implements StorageDriver {
    private static final Logger LOG = LoggerFactory.getLogger(AzureBlobStorageDriver.class);

    /**
     * The REST API version the driver speaks. Pinned so an SDK upgrade cannot change behaviour
     * unnoticed; Azurite 3.37 knows this version too.
     */
    static final BlobServiceVersion SERVICE_VERSION = BlobServiceVersion.V2026_06_06;
    /** The longest life Azure gives a user delegation key, and so a user delegation SAS. */
    static final Duration MAX_DELEGATION = Duration.ofDays(7);

    private static final HttpHeaderName X_MS_VERSION = HttpHeaderName.fromString("x-ms-version");
    private static final HttpHeaderName X_MS_RANGE = HttpHeaderName.fromString("x-ms-range");
    private static final HttpHeaderName X_MS_ERROR_CODE = HttpHeaderName.fromString("x-ms-error-code");
    private static final HttpHeaderName X_MS_BLOB_CONTENT_MD5 = HttpHeaderName.fromString("x-ms-blob-content-md5");
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    // A suffix range needs the size first; if the blob changes in between, ask again.
    private static final int SUFFIX_ATTEMPTS = 3;

    private final AzureConfig config;
    private final BlobServiceClient service;
    private final ExecutorService executor;
    private final BlobLocation.Matcher locations;
    private final AzureErrors errors;
    private volatile boolean closed;
    private final Object delegationLock = new Object();
    private UserDelegationKey delegation;

    private AzureBlobStorageDriver(AzureConfig config, BlobServiceClient service, ExecutorService executor) {
        this.config = config;
        this.service = service;
        this.executor = executor;
        this.locations = new BlobLocation.Matcher(
                config.canonicalHost(), config.endpoint().orElse(null));
        this.errors = new AzureErrors(config.credential().kind());
    }

    /**
     * {@return a driver with its own client} Nothing is sent to Azure here.
     *
     * @throws BrizoException of kind CONFIGURATION, naming the setting, if the SDK refuses it
     */
    static AzureBlobStorageDriver create(AzureConfig config, Settings settings) {
        return create(config, settings, null);
    }

    /**
     * {@return a driver whose HTTPS connections (to the blob service and the identity platform)
     * trust {@code ssl}; null = the JDK's default trust} Tests use it for their self-signed
     * certificate.
     */
    static AzureBlobStorageDriver create(AzureConfig config, Settings settings, SSLContext ssl) {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "brizo-azure-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            HttpClient http = (ssl == null
                            ? new JdkHttpClientBuilder()
                            : new JdkHttpClientBuilder(
                                    java.net.http.HttpClient.newBuilder().sslContext(ssl)))
                    .executor(executor)
                    .connectionTimeout(config.connectTimeout())
                    .responseTimeout(config.readTimeout())
                    .readTimeout(config.readTimeout())
                    .writeTimeout(config.readTimeout())
                    .build();
            BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                    .httpClient(http)
                    .serviceVersion(SERVICE_VERSION)
                    // Short waits: a consumer is waiting on the other end, and the HTTP layer
                    // answers 503 with Retry-After when the tries are used up.
                    .retryOptions(new RequestRetryOptions(
                            RetryPolicyType.EXPONENTIAL,
                            config.maxTries(),
                            (Duration) null,
                            Duration.ofMillis(200),
                            Duration.ofSeconds(2),
                            null));
            AzureConfig.Credential credential = config.credential();
            String endpoint = config.endpoint().map(URI::toString).orElse("https://" + config.canonicalHost());
            switch (credential.kind()) {
                case ACCOUNT_KEY ->
                    builder.endpoint(endpoint)
                            .credential(new StorageSharedKeyCredential(credential.accountName(), credential.secret()));
                case SAS_TOKEN -> builder.endpoint(endpoint).sasToken(credential.secret());
                case CONNECTION_STRING -> {
                    try {
                        builder.connectionString(credential.secret());
                    } catch (RuntimeException e) {
                        LOG.debug(
                                "the Azure SDK refused the connection string: {}",
                                e.getClass().getName());
                        throw settings.malformed(
                                AzureBlobStorageDriverFactory.CONNECTION_STRING,
                                "a connection string such as DefaultEndpointsProtocol=https;AccountName=...;"
                                        + "AccountKey=...;EndpointSuffix=core.windows.net");
                    }
                    config.endpoint().ifPresent(e -> builder.endpoint(e.toString()));
                }
                case SERVICE_PRINCIPAL -> {
                    AzureConfig.Principal p = credential.principal();
                    builder.endpoint(endpoint)
                            .credential(new ClientSecretCredentialBuilder()
                                    .clientId(p.clientId())
                                    .tenantId(p.tenantId())
                                    .clientSecret(credential.secret())
                                    .authorityHost(p.authorityHost())
                                    // The authority is the operator's choice (a sovereign cloud, a
                                    // private one): trust it as given instead of asking the public
                                    // cloud's discovery endpoint about it.
                                    .disableInstanceDiscovery()
                                    .httpClient(http)
                                    .executorService(executor)
                                    .build());
                }
                default -> throw new IllegalStateException("unknown credential kind " + credential.kind());
            }
            BlobServiceClient service;
            try {
                service = builder.buildClient();
            } catch (RuntimeException e) {
                LOG.debug("the Azure SDK refused the settings", e);
                String key = credential.kind() == AzureConfig.CredentialKind.CONNECTION_STRING
                                && config.endpoint().isEmpty()
                        ? AzureBlobStorageDriverFactory.CONNECTION_STRING
                        : AzureBlobStorageDriverFactory.BLOB_ENDPOINT;
                throw settings.malformed(
                        key, "settings the Azure SDK accepts (" + e.getClass().getSimpleName() + ")");
            }
            return new AzureBlobStorageDriver(config, service, executor);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    @Override
    public String name() {
        return "azure";
    }

    @Override
    public boolean supports(URI location) {
        return locations.supports(location);
    }

    @Override
    public ObjectInfo stat(URI location) {
        BlobClient blob = blob(location);
        try {
            Response<BlobProperties> r = blob.getPropertiesWithResponse(null, null, Context.NONE);
            BlobProperties p = r.getValue();
            return ObjectInfo.builder(p.getBlobSize())
                    .contentType(p.getContentType())
                    .etag(quoted(p.getETag()))
                    .md5(hex(p.getContentMd5()))
                    .lastModified(
                            p.getLastModified() == null
                                    ? null
                                    : p.getLastModified().toInstant())
                    .build();
        } catch (RuntimeException e) {
            throw errors.forException(e, Operation.READ);
        }
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        BlobClient blob = blob(location);
        if (range.toString().startsWith("-")) {
            // Azure's x-ms-range has no suffix form: resolve it against the size, and make sure
            // the blob is still the one measured.
            for (int attempt = 1; ; attempt++) {
                ObjectInfo info = stat(location);
                ByteRange.Slice slice = range.resolve(info.size());
                try {
                    return get(
                            blob,
                            range,
                            slice.offset() + "-" + slice.lastOffset(),
                            info.etag().orElse(null));
                } catch (BrizoException e) {
                    if (e.kind() != ErrorKind.CONFLICT || attempt >= SUFFIX_ATTEMPTS) {
                        throw e;
                    }
                    LOG.debug("an Azure blob changed between its size and a suffix range; asking again");
                }
            }
        }
        return get(blob, range, range.isAll() ? null : range.toString(), null);
    }

    /** Sends one GET for {@code rangeHeader} (null: the whole blob) and checks what comes back. */
    private StorageObject get(BlobClient blob, ByteRange range, String rangeHeader, String ifMatch) {
        HttpRequest request = new HttpRequest(HttpMethod.GET, blob.getBlobUrl());
        request.setHeader(X_MS_VERSION, service.getServiceVersion().getVersion());
        // Shared Key signs the Content-Length header; without one the SDK signs "null" and Azure
        // refuses the signature. A zero length is signed as empty, as Azure expects; the JDK
        // client drops the header unless allowed, and a zero length on a GET is harmless.
        request.setHeader(HttpHeaderName.CONTENT_LENGTH, "0");
        if (rangeHeader != null) {
            request.setHeader(X_MS_RANGE, "bytes=" + rangeHeader);
        }
        if (ifMatch != null) {
            request.setHeader(HttpHeaderName.IF_MATCH, ifMatch);
        }
        HttpResponse response;
        try {
            response = blob.getHttpPipeline().sendSync(request, Context.NONE);
        } catch (RuntimeException e) {
            throw errors.unreachable(e, Operation.READ);
        }
        try {
            return toObject(response, range);
        } catch (RuntimeException e) {
            response.close();
            throw e;
        }
    }

    private StorageObject toObject(HttpResponse response, ByteRange range) {
        int status = response.getStatusCode();
        LOG.debug("Azure GET of a blob answered {}", status);
        if (status != 200 && status != 206) {
            throw errors.forStatus(status, response.getHeaderValue(X_MS_ERROR_CODE), Operation.READ);
        }
        long contentLength = parseLong(response.getHeaderValue(HttpHeaderName.CONTENT_LENGTH));
        ByteRange.Slice slice;
        String md5;
        if (status == 206) {
            if (contentLength == 0) {
                // A satisfiable range holds at least one byte. Azure answers a range that starts
                // at the end with 416, but Azurite with an empty 206 whose Content-Range is not
                // one ("bytes 1000-999/1000", "bytes 0--1/0"): the same answer either way.
                throw errors.forStatus(416, null, Operation.READ);
            }
            ContentRange cr = ContentRange.parse(response.getHeaderValue(HttpHeaderName.CONTENT_RANGE))
                    .filter(c -> !c.unsatisfied() && c.total() >= 0)
                    .orElseThrow(() -> upstream("Azure answered a range request without a usable Content-Range"));
            // The total is the store's word on the size.
            slice = range.resolve(cr.total());
            if (cr.first() != slice.offset() || cr.last() != slice.lastOffset() || contentLength != slice.length()) {
                throw upstream("Azure answered with a different byte range than the one asked for");
            }
            // On a range, Content-MD5 would be of the range (if asked for); this is the blob's.
            md5 = response.getHeaderValue(X_MS_BLOB_CONTENT_MD5);
        } else {
            if (contentLength < 0) {
                throw upstream("Azure did not report the blob's size");
            }
            // The whole blob, also if a range was ignored: resolve it (an empty blob has no
            // range) and skip to its start.
            slice = range.resolve(contentLength);
            md5 = response.getHeaderValue(X_MS_BLOB_CONTENT_MD5);
            if (md5 == null && slice.isWhole()) {
                md5 = response.getHeaderValue(HttpHeaderName.CONTENT_MD5);
            }
        }
        ObjectInfo info = ObjectInfo.builder(slice.totalSize())
                .contentType(response.getHeaderValue(HttpHeaderName.CONTENT_TYPE))
                .etag(quoted(response.getHeaderValue(HttpHeaderName.ETAG)))
                .md5(base64ToHex(md5))
                .lastModified(httpDate(response.getHeaderValue(HttpHeaderName.LAST_MODIFIED)))
                .build();
        InputStream body = response.getBodyAsBinaryData().toStream();
        // On a 200 the stream yields everything up to the slice's end; its start is skipped.
        long upTo = status == 206 ? slice.length() : slice.offset() + slice.length();
        // Closing before the end closes the JDK client's body, which abandons the connection
        // rather than draining the rest; the response is released last.
        ExactLengthInputStream stream = ExactLengthInputStream.builder(body, upTo)
                .describedAs("the Azure blob")
                .onClose(response::close)
                .build();
        if (status == 200 && slice.offset() > 0) {
            LOG.debug("Azure ignored a range; discarding {} bytes", slice.offset());
            try {
                stream.skipNBytes(slice.offset());
            } catch (IOException e) {
                throw errors.unreachable(e, Operation.READ);
            }
        }
        return new StorageObject(info, slice, stream);
    }

    /**
     * Writes the blob, replacing any previous version: one request up to the block size, staged
     * blocks and a commit above it (see {@link BlockUpload}). Memory holds at most {@code
     * AZURE_UPLOAD_CONCURRENCY + 1} blocks, whatever the object's size.
     */
    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        BlobClient blob = blob(location);
        AnnouncedLengthInputStream counted = new AnnouncedLengthInputStream(data, length);
        String type = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
        BlockUpload upload =
                new BlockUpload(blob.getBlockBlobClient(), config.blockSize(), config.uploadConcurrency(), executor);
        BlockUpload.Result result;
        try {
            result = upload.upload(counted, new BlobHttpHeaders().setContentType(type));
        } catch (IOException | RuntimeException e) {
            if (counted.lengthMismatch() != null) {
                throw BrizoException.invalid(counted.lengthMismatch().getMessage());
            }
            if (counted.inputFailure() != null) {
                LOG.debug("reading the data to write failed", counted.inputFailure());
                throw new BrizoException(
                        ErrorKind.UPSTREAM_FAILED,
                        "reading the data to write failed",
                        BrizoException.redactedCause(counted.inputFailure()),
                        true);
            }
            throw e instanceof RuntimeException r
                    ? errors.forException(r, Operation.WRITE)
                    : errors.unreachable(e, Operation.WRITE);
        }
        BlockBlobItem item = result.item();
        return ObjectInfo.builder(result.size())
                .contentType(type)
                .etag(quoted(item.getETag()))
                .md5(hex(result.md5()))
                .lastModified(
                        item.getLastModified() == null
                                ? null
                                : item.getLastModified().toInstant())
                .build();
    }

    /**
     * Deletes the blob and its snapshots. A missing blob (or container) is not an error: either
     * way nothing is left there. An account with soft delete keeps the blob for its retention
     * period.
     */
    @Override
    public void delete(URI location) {
        BlobClient blob = blob(location);
        try {
            blob.deleteWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, null, Context.NONE);
        } catch (RuntimeException e) {
            BrizoException mapped = errors.forException(e, Operation.DELETE);
            if (mapped.kind() != ErrorKind.NOT_FOUND) {
                throw mapped;
            }
        }
    }

    /**
     * {@return a URL with a read-only SAS for the blob, valid for at most {@code lifetime}: a
     * service SAS signed with the account key, or with a service principal a user delegation SAS
     * signed with a user delegation key Azure gives the principal; empty with a SAS token} The URL
     * points at the configured endpoint, where the blob can really be fetched.
     *
     * @throws BrizoException of kind INVALID_REQUEST if {@code lifetime} is not positive or
     *     longer than {@code AZURE_PRESIGN_MAX_LIFETIME} (or 7 days with a service principal)
     */
    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        BlobClient blob = blob(location);
        boolean delegated = config.credential().kind() == AzureConfig.CredentialKind.SERVICE_PRINCIPAL;
        if (!config.credential().hasAccountKey() && !delegated) {
            return Optional.empty();
        }
        if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
            throw BrizoException.invalid("the lifetime of a presigned URL must be positive");
        }
        if (lifetime.compareTo(config.presignMaxLifetime()) > 0) {
            throw BrizoException.invalid("the lifetime of a presigned URL may be at most "
                    + config.presignMaxLifetime() + "; raise " + AzureBlobStorageDriverFactory.PRESIGN_MAX_LIFETIME
                    + " if that is intended");
        }
        // A SAS expiry has whole seconds: round down, so the URL never lives longer than asked.
        OffsetDateTime expiry =
                OffsetDateTime.now(ZoneOffset.UTC).plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
        boolean https = blob.getBlobUrl().regionMatches(true, 0, "https:", 0, 6);
        BlobServiceSasSignatureValues values = new BlobServiceSasSignatureValues(
                        expiry, new BlobSasPermission().setReadPermission(true))
                .setProtocol(https ? SasProtocol.HTTPS_ONLY : SasProtocol.HTTPS_HTTP);
        if (delegated) {
            if (lifetime.compareTo(MAX_DELEGATION) > 0) {
                throw BrizoException.invalid("the lifetime of a presigned URL may be at most 7 days with a"
                        + " service principal (a user delegation key lives no longer)");
            }
            UserDelegationKey key = delegationKey(expiry);
            try {
                return Optional.of(URI.create(blob.getBlobUrl() + "?" + blob.generateUserDelegationSas(values, key)));
            } catch (RuntimeException e) {
                throw errors.unreachable(e, Operation.READ);
            }
        }
        try {
            return Optional.of(URI.create(blob.getBlobUrl() + "?" + blob.generateSas(values)));
        } catch (RuntimeException e) {
            throw errors.unreachable(e, Operation.READ);
        }
    }

    /**
     * {@return a user delegation key valid at least until {@code until}} One key signs many URLs:
     * it is asked from Azure (one request, with the service principal's token) only when the one
     * held expires before {@code until}.
     */
    private UserDelegationKey delegationKey(OffsetDateTime until) {
        synchronized (delegationLock) {
            UserDelegationKey held = delegation;
            if (held != null && !held.getSignedExpiry().isBefore(until)) {
                return held;
            }
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
            // Long enough for the longest URL allowed (so one key serves a while), never past the
            // 7 days Azure allows; started a little in the past for clocks that differ.
            Duration life = config.presignMaxLifetime().plusHours(1);
            OffsetDateTime expiry = now.plus(life.compareTo(MAX_DELEGATION) > 0 ? MAX_DELEGATION : life);
            if (expiry.isBefore(until)) {
                expiry = until;
            }
            try {
                held = service.getUserDelegationKey(now.minusMinutes(5), expiry);
            } catch (RuntimeException e) {
                throw errors.forException(e, Operation.READ);
            }
            delegation = held;
            return held;
        }
    }

    private BlobClient blob(URI location) {
        if (closed) {
            throw new BrizoException(ErrorKind.INTERNAL, "the Azure storage driver is closed");
        }
        BlobLocation b = locations.parse(location);
        return service.getBlobContainerClient(b.container()).getBlobClient(b.blob());
    }

    /** Stops the HTTP client's threads; later calls fail. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }

    private static BrizoException upstream(String message) {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, message, null, false);
    }

    private static long parseLong(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.trim());
            return n >= 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@return the entity tag in its HTTP form, quoted; the SDK and the wire differ} */
    private static String quoted(String etag) {
        if (etag == null || etag.isEmpty()) {
            return null;
        }
        return etag.startsWith("\"") || etag.startsWith("W/") ? etag : "\"" + etag + "\"";
    }

    private static String hex(byte[] bytes) {
        return bytes == null || bytes.length == 0 ? null : HexFormat.of().formatHex(bytes);
    }

    private static String base64ToHex(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return hex(Base64.getDecoder().decode(value.trim()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Instant httpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "AzureBlobStorageDriver{" + config.credential().kind() + "}";
    }
}

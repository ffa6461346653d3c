package io.brizo.storage.http;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ContentRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLException;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads objects over HTTP and HTTPS with ranged GETs, through one OkHttp client. Thread-safe.
 *
 * <p>Every connection goes through {@link GuardedSocketFactory}, so no request, including one
 * that follows a redirect, reaches an address the {@link AddressPolicy} refuses. Redirects are
 * followed here rather than by OkHttp to cap them and to keep credentials from the URL's user
 * info on the original origin.
 *
 * <p>No message and no log line above DEBUG contains the URL, its host or its path; DEBUG lines
 * show the URL without user info, query or fragment.
 */
final class HttpStorageDriver implements StorageDriver {
    private static final Logger LOG = LoggerFactory.getLogger(HttpStorageDriver.class);

    static final String REFUSED_MESSAGE = "the storage location resolves to an address the publisher does not allow";
    static final String CREDENTIALS_MESSAGE = "the storage server refused access; check the publisher's credentials";
    static final String NOT_FOUND_MESSAGE = "the storage server has no object at this asset's location";
    private static final String USER_AGENT = "brizo-java";

    private final OkHttpClient client;
    private final int maxRedirects;

    HttpStorageDriver(OkHttpClient client, int maxRedirects) {
        this.client = client;
        this.maxRedirects = maxRedirects;
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public boolean supports(URI location) {
        if (location == null || location.getScheme() == null) {
            return false;
        }
        String scheme = location.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("http") || scheme.equals("https");
    }

    @Override
    public ObjectInfo stat(URI location) {
        HttpUrl url = parse(location);
        try (Response r = execute(url, "HEAD", null)) {
            int code = r.code();
            if (code >= 200 && code < 300 && code != 206 && contentLength(r) >= 0) {
                requireIdentityEncoding(r);
                return info(r, contentLength(r));
            }
            if (isDefiniteFailure(code)) {
                throw statusFailure(code);
            }
        }
        // HEAD is refused (405, 501, ...) or does not tell the size: ask for the first byte,
        // whose Content-Range carries the complete length.
        try (Response r = execute(url, "GET", "0-0")) {
            int code = r.code();
            if (code == 206) {
                requireIdentityEncoding(r);
                ContentRange cr = ContentRange.parse(r.header("Content-Range")).orElse(null);
                if (cr == null || cr.first() != 0 || cr.total() < 0) {
                    throw sizeUnknown();
                }
                return info(r, cr.total());
            }
            if (code == 200) {
                requireIdentityEncoding(r);
                long length = contentLength(r);
                if (length < 0) {
                    throw sizeUnknown();
                }
                return info(r, length);
            }
            if (code == 416) {
                // Only an empty object has no byte 0. The response describes an error, so
                // its content type is not the object's.
                ContentRange cr = ContentRange.parse(r.header("Content-Range")).orElse(null);
                if (cr != null && cr.total() != 0) {
                    throw upstream("the storage server answered a request for the first byte inconsistently");
                }
                return ObjectInfo.builder(0).etag(r.header("ETag")).build();
            }
            throw statusFailure(code);
        }
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        HttpUrl url = parse(location);
        Response r = execute(url, "GET", range.isAll() ? null : range.toString());
        try {
            return toObject(r, range);
        } catch (IOException e) {
            r.close();
            throw readFailure(e);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private StorageObject toObject(Response r, ByteRange range) throws IOException {
        int code = r.code();
        if (code == 416) {
            ContentRange cr = ContentRange.parse(r.header("Content-Range")).orElse(null);
            throw new BrizoException(
                    ErrorKind.RANGE_NOT_SATISFIABLE,
                    cr == null
                            ? "range " + range + " is outside the object"
                            : "range " + range + " is outside the object of " + cr.total() + " bytes");
        }
        if (code != 200 && code != 206) {
            throw statusFailure(code);
        }
        requireIdentityEncoding(r);
        InputStream body = r.body().byteStream();
        if (code == 206) {
            ContentRange cr = ContentRange.parse(r.header("Content-Range")).orElse(null);
            if (cr == null || cr.first() < 0 || cr.total() < 0) {
                throw upstream("the storage server answered a range request without a usable Content-Range");
            }
            ByteRange.Slice expected;
            try {
                expected = range.resolve(cr.total());
            } catch (BrizoException e) {
                throw rangeMismatch();
            }
            long length = contentLength(r);
            if (cr.first() != expected.offset()
                    || cr.last() != expected.lastOffset()
                    || (length >= 0 && length != expected.length())) {
                throw rangeMismatch();
            }
            return new StorageObject(
                    info(r, cr.total()), expected, new ExactLengthInputStream(body, expected.length()));
        }
        // 200: the whole object, also when a range was asked for and the server ignored it.
        long total = contentLength(r);
        if (total < 0) {
            throw sizeUnknown();
        }
        ByteRange.Slice slice = range.resolve(total);
        if (slice.offset() > 0) {
            LOG.debug("the storage server ignored a Range header; discarding {} bytes", slice.offset());
            // Reads and drops in small chunks, so memory stays flat; throws if the body ends first.
            body.skipNBytes(slice.offset());
        }
        return new StorageObject(info(r, total), slice, new ExactLengthInputStream(body, slice.length()));
    }

    /** Sends the request and follows up to {@code maxRedirects} redirects, to http(s) only. */
    private Response execute(HttpUrl original, String method, String range) {
        String authorization =
                original.username().isEmpty() ? null : Credentials.basic(original.username(), original.password());
        HttpUrl url = original;
        for (int redirects = 0; ; redirects++) {
            Request.Builder request = new Request.Builder()
                    .url(url.newBuilder().username("").password("").build())
                    .method(method, null)
                    .header("User-Agent", USER_AGENT)
                    // Without this OkHttp asks for gzip and inflates transparently, and then
                    // neither Content-Length nor byte ranges would refer to the object's bytes.
                    .header("Accept-Encoding", "identity");
            if (range != null) {
                request.header("Range", "bytes=" + range);
            }
            if (authorization != null && sameOrigin(url, original)) {
                request.header("Authorization", authorization);
            }
            Response response;
            try {
                response = client.newCall(request.build()).execute();
            } catch (IOException e) {
                throw connectFailure(e, url);
            }
            LOG.debug("{} {} answered {}", method, redact(url), response.code());
            if (!isRedirect(response.code())) {
                return response;
            }
            String target = response.header("Location");
            response.close();
            if (redirects >= maxRedirects) {
                throw upstream("the storage server redirected more than " + maxRedirects
                        + " times; raise BRIZO_HTTP_MAX_REDIRECTS if that is expected");
            }
            HttpUrl next = target == null ? null : url.resolve(target);
            if (next == null) {
                throw upstream("the storage server redirected to a location that is not http or https");
            }
            url = next;
        }
    }

    private static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equals(b.host()) && a.port() == b.port();
    }

    /** {@return whether {@code code} fails a stat outright, with no point in the ranged fallback} */
    private static boolean isDefiniteFailure(int code) {
        return code == 404
                || code == 410
                || code == 401
                || code == 403
                || code == 407
                || code == 408
                || code == 429
                || (code >= 500 && code != 501);
    }

    private static BrizoException statusFailure(int code) {
        if (code == 404 || code == 410) {
            return BrizoException.notFound(NOT_FOUND_MESSAGE);
        }
        if (code == 401 || code == 403 || code == 407) {
            return new BrizoException(ErrorKind.UPSTREAM_FAILED, CREDENTIALS_MESSAGE, null, false);
        }
        if (code >= 500 || code == 429 || code == 408) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the storage server failed (HTTP " + code + "); try again later",
                    null,
                    true);
        }
        return upstream("the storage server answered HTTP " + code);
    }

    private static BrizoException connectFailure(IOException e, HttpUrl url) {
        if (AddressRefusal.isRefusal(e)) {
            LOG.debug("refused a storage request to {}", redact(url));
            return new BrizoException(ErrorKind.UPSTREAM_FAILED, REFUSED_MESSAGE, null, false);
        }
        LOG.debug("a storage request to {} failed", redact(url), e);
        if (e instanceof SSLException) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the TLS connection to the storage server failed; check its certificate",
                    BrizoException.redactedCause(e),
                    false);
        }
        if (e instanceof InterruptedIOException) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the storage server did not answer in time",
                    BrizoException.redactedCause(e),
                    true);
        }
        return new BrizoException(
                ErrorKind.UNAVAILABLE,
                "the storage server could not be reached",
                BrizoException.redactedCause(e),
                true);
    }

    private static BrizoException readFailure(IOException e) {
        LOG.debug("reading from a storage server failed", e);
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "reading from the storage server failed",
                BrizoException.redactedCause(e),
                true);
    }

    private static BrizoException upstream(String message) {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, message, null, false);
    }

    private static BrizoException sizeUnknown() {
        return upstream("the storage server does not report the object's size");
    }

    private static BrizoException rangeMismatch() {
        return upstream("the storage server answered with a different byte range than the one asked for");
    }

    private static void requireIdentityEncoding(Response r) {
        String encoding = r.header("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw upstream("the storage server sent encoded content although the publisher asked for none");
        }
    }

    private static long contentLength(Response r) {
        String value = r.header("Content-Length");
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

    private static ObjectInfo info(Response r, long size) {
        return ObjectInfo.builder(size)
                .contentType(r.header("Content-Type"))
                .etag(r.header("ETag"))
                .lastModified(r.headers().getInstant("Last-Modified"))
                .build();
    }

    private static HttpUrl parse(URI location) {
        HttpUrl url = location == null || !isHttp(location) ? null : HttpUrl.parse(location.toString());
        if (url == null) {
            throw BrizoException.configuration(
                    "the storage location of this asset is not a valid http or https URL; check the asset's metadata");
        }
        return url;
    }

    private static boolean isHttp(URI location) {
        String scheme = location.getScheme();
        return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
    }

    /** {@return the URL for DEBUG logs: without user info, query and fragment, which may hold secrets} */
    static String redact(HttpUrl url) {
        return url.newBuilder()
                .username("")
                .password("")
                .query(null)
                .fragment(null)
                .build()
                .toString();
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "HttpStorageDriver";
    }
}

package io.brizo.http;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A response from {@link BrizoHttpApi}: status, headers and a body written on demand.
 *
 * <p>A server binding sends the status and headers with {@link #contentLength()} as the length,
 * then calls {@link Body#writeTo(OutputStream)}. If that throws, the binding must abort the
 * connection instead of finishing the response, so the client never takes a truncated body for
 * a complete one.
 *
 * <p>A binding that writes without blocking (servlet async I/O) pulls the body instead with
 * {@link Body#openStream()} where the body offers it, so a client that reads slowly holds no
 * thread while the connection cannot take more bytes.
 */
public final class HttpResponse {
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final long contentLength;
    private final Body body;
    /** The {@code error} field of a JSON error body, for metrics; null for any other answer. */
    private final String errorKind;

    /** Writes a response body. */
    @FunctionalInterface
    public interface Body {
        /** Writes exactly {@link HttpResponse#contentLength()} bytes, or throws. */
        void writeTo(OutputStream out) throws IOException;

        /**
         * {@return the body as a stream that a binding reads at its own pace, or null if this body
         * can only be written with {@link #writeTo}} The bodies of {@link BrizoHttpApi} all offer
         * one.
         *
         * <p>The stream gives exactly {@link HttpResponse#contentLength()} bytes and then ends. If
         * the source fails midway, a read throws {@link IOException} (the failure is already
         * logged) and the binding must abort the connection, as when {@link #writeTo} throws.
         * Use either this or {@link #writeTo}, once; closing the stream releases the source, also
         * when it was not read to the end.
         *
         * @throws IOException if the source cannot be opened
         */
        default InputStream openStream() throws IOException {
            return null;
        }

        /**
         * {@return the body as read-only buffers that a binding may hand to the connection as they
         * are, or null when this body has none} Offered for small local files, whose buffers are
         * slices of a memory mapping: writing one costs one copy, from the page cache to the
         * socket, where a stream costs a read into a buffer and a write from it. Use this, {@link
         * #openStream} or {@link #writeTo}, once.
         *
         * <p>Write the buffers only to a plain connection: code that reads them in Java, such as
         * TLS, would meet a file truncated meanwhile as an internal error.
         *
         * @throws IOException if the source cannot be opened
         */
        default Chunks openChunks() throws IOException {
            return null;
        }
    }

    /** A body given as buffers (see {@link Body#openChunks()}); close it once written or abandoned. */
    public interface Chunks extends Closeable {
        /**
         * {@return the next part of the body, or null after the last} Asking for the next part
         * counts the previous one as served.
         *
         * @throws IOException if the source shrank or failed (already logged): the binding must
         *     abort the connection. A file truncated while a part is being written makes that
         *     write fail instead, which containers may only notice at their idle timeout (the
         *     connection still ends short of its length).
         */
        ByteBuffer next() throws IOException;

        @Override
        void close();
    }

    /** A body held in memory: written at once, or pulled. */
    private record BytesBody(byte[] content) implements Body {
        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(content);
        }

        @Override
        public InputStream openStream() {
            return new ByteArrayInputStream(content);
        }
    }

    HttpResponse(int status, List<Map.Entry<String, String>> headers, long contentLength, Body body) {
        this(status, headers, contentLength, body, null);
    }

    private HttpResponse(
            int status, List<Map.Entry<String, String>> headers, long contentLength, Body body, String errorKind) {
        this.status = status;
        this.headers = List.copyOf(headers);
        this.contentLength = contentLength;
        this.body = body;
        this.errorKind = errorKind;
    }

    static HttpResponse bytes(int status, String contentType, byte[] content, List<Map.Entry<String, String>> extra) {
        List<Map.Entry<String, String>> h = new ArrayList<>(extra);
        h.add(Map.entry("Content-Type", contentType));
        h.add(Map.entry("Cache-Control", "no-store"));
        return new HttpResponse(status, h, content.length, new BytesBody(content));
    }

    /** {@return a response of {@code content} with exactly the headers given, Content-Type first} */
    static HttpResponse cached(
            int status, String contentType, byte[] content, List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry("Content-Type", contentType));
        h.addAll(headers);
        return new HttpResponse(status, h, content.length, new BytesBody(content));
    }

    static HttpResponse json(int status, String json, List<Map.Entry<String, String>> extra) {
        return bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8), extra);
    }

    /** {@return the status code} */
    public int status() {
        return status;
    }

    /** {@return the headers, in order; a name may repeat} */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** {@return the first value of header {@code name}, or null} */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** {@return the number of body bytes (also for HEAD, where none are sent)} */
    public long contentLength() {
        return contentLength;
    }

    /** {@return the body writer; for HEAD responses a writer that writes nothing} */
    public Body body() {
        return body;
    }

    /** {@return whether the response carries no body to write (HEAD)} */
    public boolean isHeadOnly() {
        return body == null;
    }

    HttpResponse withoutBody() {
        return new HttpResponse(status, headers, contentLength, null, errorKind);
    }

    /** {@return this response, marked as an error of {@code kind}} */
    HttpResponse asError(String kind) {
        return new HttpResponse(status, headers, contentLength, body, kind);
    }

    /** {@return the error kind of a JSON error answer, or null} */
    String errorKind() {
        return errorKind;
    }

    @Override
    public String toString() {
        return "HttpResponse{status=" + status + ", length=" + contentLength + "}";
    }

    static Map.Entry<String, String> header(String name, String value) {
        return Map.entry(name, Objects.requireNonNull(value));
    }
}

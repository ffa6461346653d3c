package io.brizo.servlet;

import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.HttpRequest;
import io.brizo.http.HttpResponse;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the Brizo HTTP API ({@link BrizoHttpApi}) from any Jakarta Servlet 6 container, under
 * any context path and servlet mapping: the API's routes are relative to where the servlet is
 * mounted. With the mapping {@code /brizo/*} in the context {@code /ctx}, consume is at {@code
 * /ctx/brizo/api/v1/brizo/services/consume} and {@code /ctx/brizo/} describes the service.
 *
 * <p>Response bodies are written with servlet non-blocking I/O: a client that reads slowly holds
 * no container thread while its connection cannot take more bytes. Register the servlet with
 * async support ({@code setAsyncSupported(true)}, or {@code <async-supported>} in a deployment
 * descriptor); without it, bodies are written blocking on the request thread. If the storage
 * fails midway through a download, the connection is aborted, so the client never takes a
 * truncated body for a complete one.
 *
 * <p>The servlet does not close the {@link Brizo} it serves; its owner does.
 */
public class BrizoServlet extends HttpServlet {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(BrizoServlet.class);
    /**
     * Copy buffers: a pending write to a stalled client holds its whole buffer for as long as the
     * client stalls (until the idle timeout), so a thousand slow readers would hold a thousand
     * buffers. Large buffers copy about 1.5 times faster on loopback than small ones (measured: a
     * 1 GiB file at 2.2 against 1.4 GB/s), so downloads get a large one while their total stays
     * within a share of the heap, and a small one beyond it: speed while the server is quiet, and
     * a bounded heap when it is flooded (about 25 KiB per stalled download instead of 75).
     */
    private static final int LARGE_CHUNK = 64 * 1024;

    private static final int SMALL_CHUNK = 16 * 1024;
    private static final long LARGE_CHUNKS_BUDGET = Runtime.getRuntime().maxMemory() / 8;
    private static final AtomicLong LARGE_CHUNKS_IN_USE = new AtomicLong();
    /**
     * Whether the container's streams take a {@code ByteBuffer} (Servlet 6.1): under an older
     * container's API the method is missing, and bodies are copied through a buffer as before.
     */
    private static final boolean WRITES_BUFFERS = writesBuffers();

    private final transient BrizoHttpApi api;
    /** Whether bodies' file mappings go to this container as they are; decided at {@link #init()}. */
    private transient volatile boolean handsOverBuffers;

    /**
     * Creates a servlet that serves {@code brizo}.
     *
     * @param brizo the configured facade; not closed by this servlet
     */
    public BrizoServlet(Brizo brizo) {
        this(new BrizoHttpApi(Objects.requireNonNull(brizo, "brizo")));
    }

    /**
     * Creates a servlet that serves {@code api}, for example one shared with a {@link
     * io.brizo.http.BrizoHttpServer} or another binding.
     *
     * @param api the HTTP API to serve
     */
    public BrizoServlet(BrizoHttpApi api) {
        this.api = Objects.requireNonNull(api, "api");
    }

    /**
     * Decides whether downloads of local files may be handed to the container as memory-mapped
     * buffers (see {@link #writesBuffersNatively}).
     */
    @Override
    public void init() throws ServletException {
        handsOverBuffers =
                WRITES_BUFFERS && writesBuffersNatively(getServletContext().getServerInfo());
    }

    /**
     * {@return whether the container named {@code serverInfo} writes a buffer it is given straight
     * to the socket} Jetty does, and there a file truncated during its download fails the write.
     * Tomcat copies the buffer in Java, where the same truncation is a JVM fault that can surface
     * outside any handler (seen: a Tomcat worker thread died of it and the connection hung), so
     * every other container gets copies through buffers.
     */
    static boolean writesBuffersNatively(String serverInfo) {
        return serverInfo != null && serverInfo.toLowerCase(Locale.ROOT).startsWith("jetty/");
    }

    /** {@return whether this servlet hands file mappings to its container} */
    boolean handsOverBuffers() {
        return handsOverBuffers;
    }

    /**
     * Hands every method to the API, which answers those a route does not allow with 405 and a
     * JSON error, as the JDK server binding does.
     */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = apiPath(request);
        HttpResponse answer = api.handle(new HttpRequest(
                request.getMethod(),
                path,
                request.getQueryString(),
                headers(request),
                request.getInputStream(),
                baseUrl(request, path)));
        response.setStatus(answer.status());
        for (Map.Entry<String, String> h : answer.headers()) {
            response.addHeader(h.getKey(), h.getValue());
        }
        // Also for HEAD: the length a GET would send.
        response.setContentLengthLong(answer.contentLength());
        if (answer.isHeadOnly() || answer.contentLength() == 0) {
            return;
        }
        Pump pump = request.isAsyncSupported()
                ? pump(answer.body(), answer.contentLength(), request.isSecure() || !handsOverBuffers)
                : null;
        if (pump == null) {
            writeBlocking(answer, response);
            return;
        }
        try {
            AsyncContext async = request.startAsync();
            // No deadline on the whole transfer: a large download may take hours. A client that
            // stops reading is cut off by the container's connection idle timeout, which fails the
            // write and ends here in onError.
            async.setTimeout(0);
            pump.start(async, response.getOutputStream());
        } catch (RuntimeException e) {
            pump.release();
            throw e;
        }
    }

    /**
     * {@return the pump for a body: its buffers when it has them and may hand them over ({@code
     * copy} false: a plain connection of Jetty, Servlet 6.1), else its stream; null when it has
     * neither}
     */
    private static Pump pump(HttpResponse.Body body, long length, boolean copy) throws IOException {
        HttpResponse.Chunks chunks = copy ? null : body.openChunks();
        if (chunks != null) {
            return new ChunkPump(chunks);
        }
        InputStream source = body.openStream();
        return source == null ? null : new StreamPump(source, length);
    }

    /** Writes a body that can only be pushed, on the request thread. */
    private static void writeBlocking(HttpResponse answer, HttpServletResponse response) throws IOException {
        ServletOutputStream out = response.getOutputStream();
        ClientStream client = new ClientStream(out);
        try {
            answer.body().writeTo(client);
        } catch (IOException e) {
            if (client.failed) {
                LOG.debug(
                        "the client went away during a download ({})",
                        e.getClass().getSimpleName());
                return;
            }
            // The source failed (the API logged it): leave the response short of its
            // Content-Length and make the container drop the connection.
            throw new AbortedResponse();
        }
    }

    /** Tells a client write failure (the consumer went away) from a source failure. */
    private static final class ClientStream extends OutputStream {
        private final OutputStream out;
        private boolean failed;

        ClientStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    /**
     * Thrown out of the container's write callback or request handling to make it abort the
     * connection; carries no stack trace and no detail (the cause is logged where it happened).
     */
    static final class AbortedResponse extends IOException {
        @Serial
        private static final long serialVersionUID = 1L;

        AbortedResponse() {
            super("download aborted: the storage failed midway", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * Writes the body to the client whenever the container says the connection can take more:
     * takes one part from the source, writes it, and returns as soon as the connection is full,
     * so no thread waits on a slow client.
     */
    private abstract static class Pump implements WriteListener, AsyncListener {
        private final AtomicBoolean finished = new AtomicBoolean();
        private AsyncContext async;
        private ServletOutputStream out;
        /** Bytes handed to the connection so far, for the log of a client that went away. */
        long written;

        void start(AsyncContext async, ServletOutputStream out) {
            this.async = async;
            this.out = out;
            async.addListener(this);
            out.setWriteListener(this);
        }

        /**
         * Writes the next part to {@code out}.
         *
         * @return false when there is none left
         * @throws AbortedResponse if the source failed (already logged)
         * @throws IOException if the write failed: the client went away
         */
        abstract boolean writeNext(ServletOutputStream out) throws IOException;

        /** Releases the source; called once. */
        abstract void releaseSource();

        @Override
        public void onWritePossible() throws IOException {
            while (out.isReady()) {
                if (finished.get()) {
                    return;
                }
                boolean more;
                try {
                    more = writeNext(out);
                } catch (AbortedResponse e) {
                    // The storage failed (the API logged it once, at WARN): abort.
                    release();
                    throw e;
                }
                if (!more) {
                    if (release()) {
                        async.complete();
                    }
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!(t instanceof AbortedResponse)) {
                LOG.debug(
                        "the client went away after {} bytes ({})",
                        written,
                        t.getClass().getSimpleName());
            }
            release();
            complete();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            release();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            release();
            complete();
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // Not restarted.
        }

        /** Releases the source; true the first time only. */
        boolean release() {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            releaseSource();
            return true;
        }

        private void complete() {
            try {
                async.complete();
            } catch (IllegalStateException alreadyCompleted) {
                // The container completed it first.
            }
        }
    }

    /** Copies a stream through one buffer of its own. */
    private static final class StreamPump extends Pump {
        private final InputStream source;
        private final byte[] buffer;
        private final long reserved; // of LARGE_CHUNKS_IN_USE; given back once, with the source

        StreamPump(InputStream source, long length) {
            this.source = source;
            int size = (int) Math.min(LARGE_CHUNK, Math.max(1, length));
            if (size > SMALL_CHUNK && LARGE_CHUNKS_IN_USE.addAndGet(size) > LARGE_CHUNKS_BUDGET) {
                LARGE_CHUNKS_IN_USE.addAndGet(-size);
                size = SMALL_CHUNK;
            }
            this.reserved = size > SMALL_CHUNK ? size : 0;
            this.buffer = new byte[size];
        }

        @Override
        boolean writeNext(ServletOutputStream out) throws IOException {
            int n;
            try {
                n = source.read(buffer);
            } catch (IOException e) {
                throw new AbortedResponse();
            }
            if (n < 0) {
                return false;
            }
            written += n;
            out.write(buffer, 0, n);
            return true;
        }

        @Override
        void releaseSource() {
            close(source);
            LARGE_CHUNKS_IN_USE.addAndGet(-reserved);
        }
    }

    /** Hands the body's own buffers to the connection, with no copy of ours. */
    private static final class ChunkPump extends Pump {
        private final HttpResponse.Chunks chunks;

        ChunkPump(HttpResponse.Chunks chunks) {
            this.chunks = chunks;
        }

        @Override
        boolean writeNext(ServletOutputStream out) throws IOException {
            ByteBuffer part;
            try {
                part = chunks.next();
            } catch (IOException e) {
                throw new AbortedResponse();
            }
            if (part == null) {
                return false;
            }
            int n = part.remaining();
            try {
                out.write(part);
            } catch (InternalError e) {
                // Jetty may copy a small part (a short range) into its own buffer in Java: a file
                // truncated since the part was checked meets that copy as the JDK's "fault in an
                // unsafe memory access operation", here if the JVM raises it in time.
                LOG.warn("a download was aborted after {} bytes: its file shrank while it was sent", written);
                throw new AbortedResponse();
            }
            written += n;
            return true;
        }

        @Override
        void releaseSource() {
            chunks.close();
        }
    }

    private static boolean writesBuffers() {
        try {
            ServletOutputStream.class.getMethod("write", ByteBuffer.class);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static void close(InputStream source) {
        try {
            source.close();
        } catch (IOException ignored) {
            // Releasing only.
        }
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            List<String> values = new ArrayList<>(Collections.list(request.getHeaders(name)));
            headers.merge(name, values, (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        return headers;
    }

    /**
     * {@return the raw (still percent-encoded) path of the request relative to where this servlet
     * is mounted, starting with {@code /}} The container's decoded view tells which part of the
     * raw request URI that is; where the two do not agree (path parameters, dot segments), the
     * decoded view is used as it is.
     */
    static String apiPath(HttpServletRequest request) {
        String rest = request.getPathInfo();
        if (rest == null) {
            HttpServletMapping mapping = request.getHttpServletMapping();
            MappingMatch match = mapping == null ? null : mapping.getMappingMatch();
            rest = match == MappingMatch.DEFAULT || match == MappingMatch.EXTENSION || match == null
                    ? request.getServletPath()
                    : "/";
        }
        if (rest.isEmpty()) {
            rest = "/";
        }
        return rawSuffix(request.getRequestURI(), rest);
    }

    /**
     * {@return the URL this servlet is mounted at, as the client addressed it: the request URL
     * without {@code apiPath}, or null if it does not end with it} Behind a proxy, the container
     * decides what scheme and host the request URL has (Jetty's {@code ForwardedRequestCustomizer},
     * Tomcat's {@code RemoteIpValve}).
     */
    static String baseUrl(HttpServletRequest request, String apiPath) {
        String url = request.getRequestURL().toString();
        return url.endsWith(apiPath) ? url.substring(0, url.length() - apiPath.length()) : null;
    }

    /**
     * {@return the end of {@code rawUri} that decodes to {@code decoded}, or {@code decoded}
     * itself if none does}
     */
    static String rawSuffix(String rawUri, String decoded) {
        if (rawUri == null) {
            return decoded;
        }
        int slashes = 0;
        for (int i = 0; i < decoded.length(); i++) {
            if (decoded.charAt(i) == '/') {
                slashes++;
            }
        }
        int start = rawUri.length();
        while (slashes > 0 && start > 0) {
            start = rawUri.lastIndexOf('/', start - 1);
            if (start < 0) {
                return decoded;
            }
            slashes--;
        }
        if (slashes > 0) {
            return decoded;
        }
        String candidate = rawUri.substring(start);
        return decoded.equals(percentDecode(candidate)) ? candidate : decoded;
    }

    /** {@return {@code s} with its %XX escapes decoded as UTF-8, or null if one is malformed} */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

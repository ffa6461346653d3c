package io.brizo.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.brizo.Brizo;
import io.brizo.internal.CoreSettings;
import io.brizo.spi.BrizoException;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link BrizoHttpApi} with the JDK's built-in {@code com.sun.net.httpserver}: no extra
 * dependency. For another framework, adapt its requests to {@link BrizoHttpApi#handle}.
 *
 * <p>For production prefer {@code brizo-servlet} on Jetty or Tomcat: the JDK server answers some
 * malformed requests itself (a bad {@code %}-escape or {@code Content-Length} gets a 400 naming a
 * Java exception), closes connections with header sections over its limits without an answer,
 * has no TLS or HTTP/2, and holds a worker while a request body or a download moves slowly. See
 * the module README, "JDK binding".
 */
public final class BrizoHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrizoHttpServer.class);

    /**
     * The JDK server's switch for TCP_NODELAY. Without it each answer waits for the client's
     * delayed ACK (about 40 ms on Linux). The JDK reads it once per JVM, when the first {@code
     * HttpServer} is created, so {@link #start} sets it (JVM-wide) unless the embedder already has.
     */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    /** How long a worker waits for a request's line and headers, by default. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

    private final HttpServer server;
    private final Workers executor;
    private final URI uri;

    private BrizoHttpServer(HttpServer server, Workers executor) {
        this.server = server;
        this.executor = executor;
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        this.uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    /**
     * Starts a server for {@code brizo} on the host, port and thread count of its settings
     * ({@code BRIZO_HOST}, {@code BRIZO_PORT}, {@code BRIZO_HTTP_THREADS}).
     */
    public static BrizoHttpServer start(Brizo brizo) {
        Settings s = brizo.settings();
        String host = s.get(CoreSettings.HOST.name(), CoreSettings.HOST.defaultValue());
        int port = s.getInt(CoreSettings.PORT.name(), Integer.parseInt(CoreSettings.PORT.defaultValue()), 0, 65535);
        int threads = s.getInt(
                CoreSettings.HTTP_THREADS.name(),
                Integer.parseInt(CoreSettings.HTTP_THREADS.defaultValue()),
                1,
                10_000);
        return start(brizo, new InetSocketAddress(host, port), threads);
    }

    /**
     * Starts a server for {@code brizo} on {@code address} (port 0 picks a free port).
     *
     * @param threads how many requests are served at once; more wait in a queue
     * @throws BrizoException of kind CONFIGURATION if the address cannot be bound
     */
    public static BrizoHttpServer start(Brizo brizo, InetSocketAddress address, int threads) {
        return start(brizo, address, threads, DEFAULT_HEADER_TIMEOUT);
    }

    /**
     * Starts a server for {@code brizo} on {@code address} (port 0 picks a free port).
     *
     * <p>The JDK server reads a request's line and headers on a worker thread, blocking, with no
     * time limit of its own: a client that sends them slowly would hold the worker for as long as
     * it likes. A thread still reading the head after {@code headerTimeout} is interrupted, which
     * closes that connection, and up to 8 × {@code threads} connections may be reading their heads
     * at once beside the {@code threads} being served, so slow-header clients do not keep honest
     * requests waiting. The limit ends when the handler starts: request bodies and downloads are
     * not bounded by it, and each download holds one of the {@code threads} until it ends.
     *
     * @param threads how many requests are served at once; more wait in a queue
     * @param headerTimeout how long a worker may wait for a request's line and headers
     * @throws BrizoException of kind CONFIGURATION if the address cannot be bound
     */
    public static BrizoHttpServer start(Brizo brizo, InetSocketAddress address, int threads, Duration headerTimeout) {
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive: " + headerTimeout);
        }
        BrizoHttpApi api = new BrizoHttpApi(brizo);
        enableNoDelay();
        HttpServer server;
        try {
            server = HttpServer.create(address, 128);
        } catch (IOException e) {
            throw BrizoException.configuration("cannot listen on " + address + ": " + e.getMessage()
                    + "; choose another BRIZO_HOST or BRIZO_PORT");
        }
        Workers executor = new Workers(threads, headerTimeout);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            if (executor.handlerStarts()) {
                serve(api, exchange);
            } else {
                exchange.close(); // too late: the deadline closed the connection already
            }
        });
        server.start();
        BrizoHttpServer started = new BrizoHttpServer(server, executor);
        LOG.info("Brizo HTTP server listening on {}", started.uri);
        return started;
    }

    /**
     * Sets {@link #NODELAY_PROPERTY} to true unless it is set. It takes effect only if no {@code
     * HttpServer} was created in this JVM before (by anyone): the JDK reads it once.
     */
    private static void enableNoDelay() {
        synchronized (BrizoHttpServer.class) {
            if (System.getProperty(NODELAY_PROPERTY) == null) {
                System.setProperty(NODELAY_PROPERTY, "true");
            }
        }
    }

    private static void serve(BrizoHttpApi api, HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            URI requestUri = exchange.getRequestURI();
            // Plain HTTP at the root; the API checks the Host before naming it in its document.
            String host = exchange.getRequestHeaders().getFirst("Host");
            HttpResponse response = api.handle(new HttpRequest(
                    exchange.getRequestMethod(),
                    requestUri.getRawPath() == null ? "/" : requestUri.getRawPath(),
                    requestUri.getRawQuery(),
                    exchange.getRequestHeaders(),
                    body,
                    host == null ? null : "http://" + host));
            for (Map.Entry<String, String> h : response.headers()) {
                exchange.getResponseHeaders().add(h.getKey(), h.getValue());
            }
            if (response.isHeadOnly() || "HEAD".equals(exchange.getRequestMethod())) {
                // The JDK server leaves Content-Length to us for HEAD; it must match a GET. Any HEAD
                // answer, errors included, goes this way: given a length, or a body, for a HEAD the
                // JDK logs a WARNING and then fails the write.
                exchange.getResponseHeaders().set("Content-Length", Long.toString(response.contentLength()));
                exchange.sendResponseHeaders(response.status(), -1);
            } else if (response.contentLength() == 0) {
                exchange.sendResponseHeaders(response.status(), -1); // -1 means "no body" here
            } else {
                exchange.sendResponseHeaders(response.status(), response.contentLength());
                OutputStream out = exchange.getResponseBody();
                // If this throws, the exception propagates and the JDK server closes the
                // connection: the client sees fewer bytes than Content-Length, never a short
                // file that looks complete.
                response.body().writeTo(out);
                out.close();
            }
        } finally {
            exchange.close();
        }
    }

    /** {@return the port the server listens on} */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@return the base URI, for example {@code http://127.0.0.1:8030}} */
    public URI uri() {
        return uri;
    }

    /**
     * Stops the server at once; downloads still running are cut off (their clients see a failed
     * transfer). The JDK 17 server would otherwise wait the whole grace period even when idle.
     */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * The executor the JDK server runs its exchanges on. Each exchange starts by reading the
     * request's line and headers, blocking on an interruptible channel; if the handler has not
     * started when the deadline passes, the worker is interrupted, which closes the channel, ends
     * the read with an exception and frees the worker (the JDK logs that at TRACE only).
     *
     * <p>Reading heads and handling requests are bounded apart: {@code threads} handlers at once,
     * and up to {@link #HEAD_READERS_PER_HANDLER} times as many more threads that only wait for
     * heads. With one bound for both, as many slow-header clients as handlers would queue every
     * honest request behind their deadlines (300 of them made a download wait 35 s); with two,
     * an honest request's head is read at once and it waits only for a free handler.
     */
    private static final class Workers implements Executor {
        static final int HEAD_READERS_PER_HANDLER = 8;

        private final ThreadPoolExecutor pool;
        private final Semaphore handlers;
        private final ScheduledThreadPoolExecutor deadlines;
        private final long headerTimeoutNanos;
        private final ThreadLocal<Exchange> current = new ThreadLocal<>();

        Workers(int threads, Duration headerTimeout) {
            AtomicInteger n = new AtomicInteger();
            // A new thread only when none is idle, up to the maximum; then a queue. (A plain
            // executor either queues before growing or, fixed at the maximum, starts a thread per
            // exchange until all exist.) Idle threads retire after a minute.
            int size = threads * (1 + HEAD_READERS_PER_HANDLER);
            GrowFirstQueue queue = new GrowFirstQueue();
            pool = new ThreadPoolExecutor(threads, size, 60, TimeUnit.SECONDS, queue, r -> {
                Thread t = new Thread(r, "brizo-http-" + n.incrementAndGet());
                t.setDaemon(false);
                return t;
            });
            queue.pool = pool;
            pool.setRejectedExecutionHandler((r, p) -> {
                if (!p.isShutdown()) {
                    queue.enqueue(r); // raced past the maximum: wait in the queue after all
                }
            });
            pool.allowCoreThreadTimeOut(true);
            handlers = new Semaphore(threads);
            deadlines = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "brizo-http-deadlines");
                t.setDaemon(true);
                return t;
            });
            deadlines.setRemoveOnCancelPolicy(true);
            headerTimeoutNanos = headerTimeout.toNanos();
        }

        /** Refuses a task while the pool may still grow and no thread is idle, so it grows. */
        private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
            private static final long serialVersionUID = 1L;
            private transient ThreadPoolExecutor pool;

            @Override
            public boolean offer(Runnable task) {
                ThreadPoolExecutor p = pool;
                if (p != null && p.getPoolSize() < p.getMaximumPoolSize() && p.getActiveCount() >= p.getPoolSize()) {
                    return false;
                }
                return super.offer(task);
            }

            void enqueue(Runnable task) {
                super.offer(task);
            }
        }

        @Override
        public void execute(Runnable exchange) {
            pool.execute(new Exchange(exchange));
        }

        /** {@return true if the current exchange may run its handler, false if its deadline passed} */
        boolean handlerStarts() {
            Exchange e = current.get();
            return e == null || e.handlerStarts();
        }

        void shutdownNow() {
            pool.shutdownNow();
            deadlines.shutdownNow();
        }

        private final class Exchange implements Runnable {
            private static final int READING_HEAD = 0;
            private static final int HANDLING = 1;
            private static final int TIMED_OUT = 2;
            private static final int DONE = 3;

            private final Runnable task;
            private Thread worker; // guarded by this
            private int state = READING_HEAD; // guarded by this
            private boolean handler; // a handler permit is held; only the worker thread touches it

            Exchange(Runnable task) {
                this.task = task;
            }

            @Override
            public void run() {
                synchronized (this) {
                    worker = Thread.currentThread();
                }
                current.set(this);
                ScheduledFuture<?> deadline =
                        deadlines.schedule(this::expire, headerTimeoutNanos, TimeUnit.NANOSECONDS);
                try {
                    task.run();
                } finally {
                    deadline.cancel(false);
                    if (handler) {
                        handler = false;
                        handlers.release();
                    }
                    synchronized (this) {
                        state = DONE;
                        worker = null;
                    }
                    current.remove();
                    // An expiry interrupts only while the head is read, under this lock; whatever it
                    // left must not reach the next exchange on this thread.
                    Thread.interrupted();
                }
            }

            /** Ends the head deadline, then waits for a handler permit; false if too late or stopped. */
            boolean handlerStarts() {
                synchronized (this) {
                    if (state != READING_HEAD) {
                        return false;
                    }
                    state = HANDLING;
                }
                try {
                    handlers.acquire();
                    handler = true;
                    return true;
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }

            private synchronized void expire() {
                if (state == READING_HEAD) {
                    state = TIMED_OUT;
                    LOG.debug("closing a connection whose request head did not arrive in time");
                    worker.interrupt();
                }
            }
        }
    }
}

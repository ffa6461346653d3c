package io.brizo.http;

import static io.brizo.http.ConsumeHttpTest.AGREEMENT;
import static io.brizo.http.ConsumeHttpTest.DID;
import static io.brizo.http.ConsumeHttpTest.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.TestKeys;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the JDK server binding fixes over hostile or unusual input, and what it cannot (pinned, so
 * that a JDK that changes is noticed). Everything talks to 127.0.0.1 only.
 */
class JdkBindingTest {
    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();
    final List<AutoCloseable> toClose = new ArrayList<>();
    byte[] data;
    Brizo brizo;

    @BeforeEach
    void setUp() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        data = new byte[300_000];
        new Random(5).nextBytes(data);
        Files.write(dataDir.resolve("sample.bin"), data);
        Path assets = dir.resolve("assets.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(
                        DID,
                        Map.of(
                                "files",
                                List.of(Map.of(
                                        "url",
                                        dataDir.resolve("sample.bin").toUri().toString()))))));
        Path grants = dir.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(Map.of(
                        "agreementId", AGREEMENT, "did", DID, "consumer", consumer.address(), "service", "access"))));
        brizo = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", grants.toString())
                        .put("BRIZO_FILE_ROOTS", dataDir.toString())
                        .build())
                .discover()
                .build();
        toClose.add(brizo);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    BrizoHttpServer serve(int threads) {
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), threads);
        toClose.add(0, server);
        return server;
    }

    String consumeQuery() {
        return "serviceAgreementId=" + AGREEMENT + "&consumerAddress=" + consumer.address() + "&signature="
                + consumer.signText(AGREEMENT) + "&index=0";
    }

    static HttpResponse<byte[]> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, BodyHandlers.ofByteArray());
    }

    @Test
    void manySmallKeepAliveRequestsAreNotEachDelayedByNagleAndDelayedAcks() throws Exception {
        BrizoHttpServer server = serve(2);
        assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest notFound =
                HttpRequest.newBuilder(server.uri().resolve("/no/such/route")).build();
        send(http, notFound); // opens the one connection the loop reuses
        // A functional check, not a benchmark: with Nagle's algorithm on, each answer waited for the
        // client's delayed ACK (about 40 ms, so 8 s for 200); without it they take milliseconds. The
        // bound is generous so that a busy build machine does not fail it.
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertEquals(404, send(http, notFound).statusCode());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 4_000, "200 keep-alive requests took " + millis + " ms");
    }

    @Test
    void headRequestsThatFailLogNothingAboveDebugAndAnswerTheLengthOfTheGet() throws Exception {
        BrizoHttpServer server = serve(2);
        Logger jdkLogger = Logger.getLogger("com.sun.net.httpserver");
        Level level = jdkLogger.getLevel();
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        capture.setLevel(Level.ALL);
        jdkLogger.setLevel(Level.ALL);
        jdkLogger.addHandler(capture);
        try {
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI consume = server.uri().resolve(BrizoHttpApi.CONSUME);
            List<HttpRequest.Builder> failing = List.of(
                    HttpRequest.newBuilder(server.uri().resolve("/no/such/route")),
                    HttpRequest.newBuilder(URI.create(consume + "?index=zero")),
                    HttpRequest.newBuilder(URI.create(consume + "?" + consumeQuery()))
                            .header("Range", "bytes=999999999-"));
            List<Integer> statuses = List.of(404, 400, 416);
            for (int i = 0; i < failing.size(); i++) {
                HttpResponse<byte[]> get =
                        send(http, failing.get(i).copy().GET().build());
                for (int round = 0; round < 3; round++) {
                    HttpResponse<byte[]> head = send(
                            http,
                            failing.get(i)
                                    .copy()
                                    .method("HEAD", BodyPublishers.noBody())
                                    .build());
                    assertEquals(statuses.get(i), head.statusCode());
                    assertEquals(statuses.get(i), get.statusCode());
                    assertEquals(0, head.body().length);
                    assertEquals(
                            Long.toString(get.body().length),
                            head.headers().firstValue("Content-Length").orElseThrow());
                }
            }
            // The same connection still serves: no HEAD answer broke it.
            assertArrayEquals(
                    data,
                    send(
                                    http,
                                    HttpRequest.newBuilder(URI.create(consume + "?" + consumeQuery()))
                                            .build())
                            .body());
        } finally {
            jdkLogger.removeHandler(capture);
            jdkLogger.setLevel(level);
        }
        synchronized (records) {
            List<String> loud = records.stream()
                    .filter(r -> r.getLevel().intValue() > Level.FINE.intValue())
                    .map(r -> r.getLevel() + " " + r.getMessage())
                    .toList();
            assertTrue(loud.isEmpty(), loud.toString());
            assertFalse(records.isEmpty(), "the capture saw nothing: is the JDK logger elsewhere?");
        }
    }

    @Test
    void slowHeaderClientsOutnumberingTheHandlersDoNotDelayADownload() throws Exception {
        // 24 slow connections against 4 handlers, with a deadline far beyond the test: only
        // reading heads apart from handling keeps the download from waiting for it.
        BrizoHttpServer server =
                BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4, Duration.ofSeconds(60));
        toClose.add(0, server);
        long millis = downloadBeside(new Slowloris(server.port(), 24), server);
        assertTrue(millis < 5_000, "the download took " + millis + " ms");
    }

    @Test
    void slowClientsBeyondTheHeadReadersAreCutOffAtTheDeadlineAndDoNotStallADownload() throws Exception {
        // 48 slow connections: more than the 4 handlers and 32 head readers together.
        BrizoHttpServer server =
                BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4, Duration.ofMillis(500));
        toClose.add(0, server);
        Slowloris slow = new Slowloris(server.port(), 48);
        long millis = downloadBeside(slow, server);
        // Two waves of slow connections at 0.5 s each, then the download: well under 6 s. Without
        // the deadline the slow connections hold every thread for as long as they keep sending.
        assertTrue(millis < 6_000, "the download took " + millis + " ms");
        // A slow client learns of the close at its next write, which may follow the download.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (slow.reconnects.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(slow.reconnects.get() > 0, "the server never closed a slow connection");
    }

    /** Starts {@code slow} and {@return the milliseconds a whole download takes beside it} */
    private long downloadBeside(Slowloris slow, BrizoHttpServer server) throws Exception {
        toClose.add(0, slow);
        Thread writer = new Thread(slow, "slowloris");
        writer.setDaemon(true);
        writer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slow.rounds.get() < 3) { // every connection has sent bytes
            assertTrue(System.nanoTime() < deadline, "the slow client did not get going");
            Thread.onSpinWait();
        }
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long start = System.nanoTime();
        HttpResponse<byte[]> download = send(
                http,
                HttpRequest.newBuilder(URI.create(server.uri() + BrizoHttpApi.CONSUME + "?" + consumeQuery()))
                        .timeout(Duration.ofSeconds(15))
                        .build());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, download.statusCode());
        assertArrayEquals(data, download.body());
        return millis;
    }

    /** {@return what the server answers to {@code request} sent raw, up to its close} */
    static String exchangeRaw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(answer);
            } catch (java.net.SocketException reset) {
                // a close with unread request bytes resets the connection: what came before counts
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    // Pinned limits: the JDK answers these before any handler or filter runs, so Brizo cannot
    // shape them. If a JDK changes them, these tests fail and brizo-core/README.md needs updating.

    @Test
    void aBadPercentEscapeInTheRequestLineIsAnsweredByTheJdkNamingAJavaException() throws Exception {
        BrizoHttpServer server = serve(2);
        String answer = exchangeRaw(
                server.port(), "GET " + BrizoHttpApi.CONSUME + "/%zz?index=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("Connection: close"), answer);
        assertTrue(answer.contains("Content-Type: text/html"), answer);
        assertTrue(answer.endsWith("URISyntaxException thrown"), answer);
        assertFalse(answer.contains("%zz"), answer);
        assertFalse(answer.contains(BrizoHttpApi.CONSUME), answer);
        assertFalse(answer.contains("application/json"), answer);
    }

    @Test
    void aContentLengthThatIsNoNumberIsAnsweredByTheJdkNamingAJavaException() throws Exception {
        BrizoHttpServer server = serve(2);
        String answer = exchangeRaw(
                server.port(),
                "POST " + BrizoHttpApi.CONSUME + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 12x\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("Connection: close"), answer);
        assertTrue(answer.endsWith("NumberFormatException thrown"), answer);
        assertFalse(answer.contains("12x"), answer);
        assertFalse(answer.contains("application/json"), answer);
    }

    @Test
    void aRequestWithTwoHundredHeaderNamesIsClosedByTheJdkWithoutAnAnswer() throws Exception {
        BrizoHttpServer server = serve(2);
        StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < 200; i++) {
            request.append("X-H").append(i).append(": v\r\n");
        }
        assertEquals("", exchangeRaw(server.port(), request.append("\r\n").toString()));
        // 199 names (Host, Connection and 197 others) are still served.
        String fewer = request.toString()
                .replace("X-H199: v\r\n", "")
                .replace("X-H198: v\r\n", "")
                .replace("X-H197: v\r\n", "")
                .replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n");
        String answer = exchangeRaw(server.port(), fewer + "\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
    }

    /**
     * Connections that send a request head one byte at a time, 200 ms apart, and never finish it;
     * when the server closes one, another takes its place.
     */
    static final class Slowloris implements Runnable, AutoCloseable {
        static final byte[] HEAD = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X-Slow: a\r\n".repeat(10_000))
                .getBytes(StandardCharsets.US_ASCII);

        final int port;
        final Socket[] sockets;
        final int[] sent;
        final AtomicInteger rounds = new AtomicInteger();
        final AtomicInteger reconnects = new AtomicInteger();
        volatile boolean stop;

        Slowloris(int port, int connections) throws IOException {
            this.port = port;
            this.sockets = new Socket[connections];
            this.sent = new int[connections];
            for (int i = 0; i < connections; i++) {
                sockets[i] = new Socket("127.0.0.1", port);
            }
        }

        @Override
        public void run() {
            while (!stop) {
                for (int i = 0; i < sockets.length && !stop; i++) {
                    try {
                        sockets[i].getOutputStream().write(HEAD[sent[i]++ % HEAD.length]);
                        sockets[i].getOutputStream().flush();
                    } catch (IOException closedByTheServer) {
                        reconnects.incrementAndGet();
                        try {
                            sockets[i].close();
                            sockets[i] = new Socket("127.0.0.1", port);
                            sent[i] = 0;
                        } catch (IOException e) {
                            return;
                        }
                    }
                }
                rounds.incrementAndGet();
                // Pacing the writes is the behaviour under test (a client that sends slowly), not a
                // wait for some condition.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }

        @Override
        public void close() throws IOException {
            stop = true;
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}

package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.http.Routes;
import io.brizo.testkit.PublisherFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * {@code serve} with its default timeouts and limits under hostile load at scale, over raw
 * sockets on 127.0.0.1: hundreds of slow-header (slowloris) connections and a thousand consumers
 * that read one byte a second must not keep an honest consumer waiting. Run on Jetty ({@link
 * ServeAbuseTest}) and, for what a thread-per-download server can hold, on the JDK server ({@link
 * JdkServeAbuseTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServeAbuse {
    private static final String AGREEMENT = "ab".repeat(32);
    private static final String DID = "did:op:" + "5a".repeat(32);
    static final long SIZE = 50L * 1024 * 1024;

    ServeProcess serve;
    String consumePath;

    /** {@return the settings that pick and shape the HTTP server under test, beside the defaults} */
    Map<String, String> serverSettings() {
        return Map.of();
    }

    @BeforeAll
    void startServe(@TempDir Path work) throws Exception {
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path data = storage.resolve("large.bin");
        try (RandomAccessFile file = new RandomAccessFile(data.toFile(), "rw")) {
            file.setLength(SIZE); // sparse: reads as zeros, costs no disk
        }
        ECKeyPair key = Keys.createEcKeyPair();
        Path assets =
                PublisherFiles.writeAsset(work.resolve("assets.json"), DID, data.toUri(), "application/octet-stream");
        Path grants =
                PublisherFiles.writeAccessGrant(work.resolve("grants.json"), AGREEMENT, DID, SignCommand.address(key));
        Map<String, String> settings = new HashMap<>(serverSettings());
        settings.put("BRIZO_ASSETS", assets.toString());
        settings.put("BRIZO_GRANTS", grants.toString());
        settings.put("BRIZO_FILE_ROOTS", storage.toString());
        serve = ServeProcess.start(settings, work);
        consumePath = Routes.CONSUME + "?serviceAgreementId=" + AGREEMENT + "&consumerAddress="
                + SignCommand.address(key) + "&signature=" + SignCommand.sign(key, AGREEMENT) + "&index=0";
    }

    @AfterAll
    void stopServe() {
        if (serve != null) {
            boolean died = !serve.process().isAlive();
            // What the server warned about, always: a reset seen by a client is explained here.
            serve.stderr()
                    .lines()
                    .filter(l -> !l.contains("consume authorised"))
                    .filter(l -> died || l.contains("WARN") || l.contains("ERROR") || l.contains("Exception"))
                    .forEach(l -> System.out.println("[abuse] " + l));
            if (died) {
                serve.stdout().forEach(l -> System.out.println("[abuse] stdout " + l));
            }
            serve.close();
        }
    }

    @Test
    void threeHundredSlowlorisConnectionsHeldForAMinuteDelayNoDownloadByMoreThanOneSecond() throws Exception {
        download(); // warms the server up, unmeasured
        double baseline = 0;
        for (int i = 0; i < 3; i++) {
            baseline = Math.max(baseline, download());
        }
        List<Double> during = new ArrayList<>();
        try (Slowloris attack = new Slowloris(serve.uri(), 300)) {
            attack.start();
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(4000);
                during.add(download());
            }
            String report = "baseline " + baseline + " s; during the attack " + during + " s; "
                    + attack.reconnects() + " attacking connections cut off and reopened, "
                    + attack.openConnections() + " open at the end; server threads " + threads();
            System.out.println("[abuse] slowloris x300 for 60 s: " + report);
            assertTrue(attack.reconnects() >= 300, "the attack never lost a connection: " + report);
            assertTrue(attack.openConnections() >= 250, "the attack did not hold its connections: " + report);
            for (double seconds : during) {
                assertTrue(seconds <= baseline + 1.0, report);
            }
        }
    }

    /** {@return the seconds a whole download takes on a fresh connection} */
    double download() throws IOException {
        long started = System.nanoTime();
        try (Socket socket = connect()) {
            send(socket, "GET " + consumePath + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            InputStream in = socket.getInputStream();
            String head = statusLine(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            while (!readLine(in).isEmpty()) {
                // the headers
            }
            long received = 0;
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
            assertEquals(SIZE, received, "bytes of the download");
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** {@return the seconds from connecting to the first byte of a download's answer} */
    double timeToFirstByte() throws IOException {
        long started = System.nanoTime();
        try (Socket socket = connect()) {
            send(socket, "GET " + consumePath + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String head = statusLine(socket.getInputStream());
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            return seconds;
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(serve.uri().getHost(), serve.uri().getPort()), 10_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static String statusLine(InputStream in) throws IOException {
        return readLine(in);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** {@return the server process's thread count now, from /proc} */
    int threads() throws IOException {
        for (String line : Files.readAllLines(
                Path.of("/proc", Long.toString(serve.process().pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        throw new IllegalStateException("no Threads line in /proc/PID/status");
    }

    /**
     * Keeps {@code count} connections sending one header byte a second each, never finishing the
     * headers; a connection the server closes is opened again at once, as an attacker would.
     */
    private static final class Slowloris implements AutoCloseable {
        private static final byte[] HEADER_BYTES = "X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII);

        private final URI target;
        private final Socket[] sockets;
        private final int[] position;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile int reconnects;

        Slowloris(URI target, int count) {
            this.target = target;
            this.sockets = new Socket[count];
            this.position = new int[count];
            this.thread = new Thread(this::run, "slowloris");
            thread.setDaemon(true);
        }

        void start() throws IOException {
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = open();
            }
            thread.start();
        }

        private Socket open() throws IOException {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5000);
            send(socket, "GET /health HTTP/1.1\r\nHost: x\r\n");
            return socket;
        }

        private void run() {
            while (running) {
                long tick = System.nanoTime();
                for (int i = 0; i < sockets.length && running; i++) {
                    try {
                        OutputStream out = sockets[i].getOutputStream();
                        out.write(HEADER_BYTES[position[i]++ % HEADER_BYTES.length]);
                        out.flush();
                    } catch (IOException closedByTheServer) {
                        try {
                            sockets[i].close();
                            sockets[i] = open();
                            position[i] = 0;
                            reconnects++;
                        } catch (IOException e) {
                            // the next round tries again
                        }
                    }
                }
                long rest = 1000 - (System.nanoTime() - tick) / 1_000_000;
                if (rest > 0) {
                    try {
                        Thread.sleep(rest);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        int reconnects() {
            return reconnects;
        }

        int openConnections() {
            int open = 0;
            for (Socket socket : sockets) {
                open += socket != null && !socket.isClosed() ? 1 : 0;
            }
            return open;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            running = false;
            thread.join(5000);
            for (Socket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }
}
